package dev.eventbackbone.launcher.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backbone bench ingest}: HTTP load against a running gateway, single events or batches,
 * closed-loop (as fast as the connections allow) or at a steady rate; with {@code --compare-raw},
 * in the same run a raw producer replaying the gateway's own records before and after the gateway
 * run ({@link RawReplay}), Apache Kafka's ProducerPerformance, and the CPU each process used.
 */
@Command(name = "ingest",
        mixinStandardHelpOptions = true,
        description = "Drives HTTP load against a running ingest gateway and prints events/s and latency"
                + " percentiles; --compare-raw also runs a plain Kafka producer on the same broker.")
final class IngestBenchCommand implements java.util.concurrent.Callable<Integer> {

    enum Mode { single, batch }

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Gateway URL. Default: ${DEFAULT-VALUE}.")
    String url;

    @Option(names = "--key", description = "API key; default $BACKBONE_API_KEY, else the dev key of `backbone up`.")
    String key;

    @Option(names = "--data-dir", defaultValue = "${env:BACKBONE_DATA_DIR:-.backbone/data}",
            description = "Data directory of `backbone up`, for its dev key (gateway/dev-api-key).")
    Path dataDir;

    @Option(names = "--stream", defaultValue = "analytics", description = "Stream to post to. Default: ${DEFAULT-VALUE}.")
    String stream;

    @Option(names = "--mode", defaultValue = "single", description = "single or batch. Default: ${DEFAULT-VALUE}.")
    Mode mode;

    @Option(names = "--batch-size", defaultValue = "100", description = "Events per batch request. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--event-size", defaultValue = "200", description = "Bytes of JSON per event. Default: ${DEFAULT-VALUE}.")
    int eventSize;

    /** Selector threads of the load tool, as {@code wrk -t2}: one per core of the machine it shares. */
    private static final int LOAD_THREADS = 2;

    @Option(names = "--connections", defaultValue = "32", description = "Requests in flight at once. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--duration", defaultValue = "30s", converter = DurationConverter.class,
            description = "Measured time, e.g. 30s, 2m. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class,
            description = "Unmeasured time before. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--rate", defaultValue = "0",
            description = "Steady events/s (latency from the intended send time); 0 = as fast as possible.")
    int rate;

    @Option(names = "--compare-raw", description = "Also, in the same run: a raw producer replaying the gateway's own"
            + " records (keys, Avro values, headers) with its producer settings and as many requests in flight, before"
            + " and after the gateway run; Apache Kafka's ProducerPerformance; the CPU each process used.")
    boolean compareRaw;

    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092",
            description = "Broker for --compare-raw. Default: ${DEFAULT-VALUE}.")
    String bootstrapServers;

    @Option(names = "--client-config", description = "Kafka client properties for --compare-raw (SASL/TLS).")
    Path clientConfig;

    @Override
    public Integer call() throws Exception {
        String apiKey = apiKey();
        int eventsPerRequest = mode == Mode.batch ? batchSize : 1;
        URI target = URI.create(url + "/v1/events/" + stream + (mode == Mode.batch ? "/batch" : ""));
        System.out.printf("ingest bench: %s, %d event(s) per request of %d B JSON, %d connections, %s%s%n",
                target, eventsPerRequest, eventSize, connections, duration,
                rate > 0 ? ", steady " + rate + " events/s" : ", as fast as possible");
        if (!compareRaw) {
            report("gateway", httpRun(apiKey, target, eventsPerRequest, warmup, duration));
            return 0;
        }
        // Raw, gateway, raw again, in one run: the baseline replays what the gateway itself wrote.
        Map<String, Object> kafka = kafkaConfig();
        ProcessHandle platform = platformProcess();
        httpRun(apiKey, target, eventsPerRequest, warmup, Duration.ZERO);
        String topic = topicOf();
        List<RawReplay.Captured> records = RawReplay.capture(kafka, topic, 50_000);
        int partitions = partitionsOf(kafka, topic);
        double recordSize = records.stream().mapToInt(record -> record.value().length).average().orElse(0);
        System.out.printf("%nreplaying %,d of the gateway's own records from %s (mean value %.0f B, with their keys"
                + " and headers), gateway producer settings, %d requests of %d record(s) in flight%n",
                records.size(), topic, recordSize, connections, eventsPerRequest);
        CpuMeter cpu = new CpuMeter(platform);
        double rawBefore = RawReplay.run(kafka, partitions, records, connections, eventsPerRequest, duration);
        String cpuRawBefore = cpu.sinceLast();
        LoadResult gateway = httpRun(apiKey, target, eventsPerRequest, Duration.ofSeconds(2), duration);
        String cpuGateway = cpu.sinceLast();
        double rawAfter = RawReplay.run(kafka, partitions, records, connections, eventsPerRequest, duration);
        String cpuRawAfter = cpu.sinceLast();
        double producerPerformance = producerPerformance(kafka, (int) Math.round(recordSize),
                (long) Math.max(100_000, (rawBefore + rawAfter) / 2 * duration.toSeconds()));

        report("gateway", gateway);
        double gatewayRate = gateway.events() / (duration.toNanos() / 1e9);
        System.out.printf("%n| run | records/s | CPU (cores) |%n|---|---|---|%n");
        System.out.printf("| raw replay, before | %,.0f | %s |%n", rawBefore, cpuRawBefore);
        System.out.printf("| gateway (%s%s), %d connections | %,.0f | %s |%n", mode,
                mode == Mode.batch ? " of " + batchSize : "", connections, gatewayRate, cpuGateway);
        System.out.printf("| raw replay, after | %,.0f | %s |%n", rawAfter, cpuRawAfter);
        System.out.printf("| Apache Kafka ProducerPerformance, %d B values, same settings | %,.0f | |%n",
                Math.round(recordSize), producerPerformance);
        System.out.printf("%ngateway / raw replay (mean of before and after)    %.0f %%%n",
                100 * gatewayRate / ((rawBefore + rawAfter) / 2));
        return 0;
    }

    private void report(String what, LoadResult result) {
        System.out.println();
        System.out.println(what + " (" + mode + (mode == Mode.batch ? " of " + batchSize : "") + "):");
        result.print(System.out, duration.toNanos() / 1e9);
    }

    /** Posts for {@code warm} (not measured) and then for {@code measured}; what the measured part did. */
    private LoadResult httpRun(String apiKey, URI target, int eventsPerRequest, Duration warm, Duration measured)
            throws InterruptedException {
        LoadResult result = new LoadResult();
        AtomicLong sequence = new AtomicLong();
        long start = System.nanoTime();
        long measuredFrom = start + warm.toNanos();
        long end = measuredFrom + measured.toNanos();
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        progress.schedule(result::reset, warm.toMillis(), TimeUnit.MILLISECONDS);
        LongAdder lastEvents = new LongAdder();
        progress.scheduleAtFixedRate(() -> {
            long now = result.events();
            long elapsed = System.nanoTime() - measuredFrom;
            System.err.printf("  %5.0f s  %,10d events/s  %,d errors%s%n", elapsed / 1e9,
                    now - lastEvents.sumThenReset(), result.errors(), elapsed < 0 ? " (warm-up)" : "");
            lastEvents.add(now);
        }, 1, 1, TimeUnit.SECONDS);

        // With --rate, request k is due at start + k * interval whichever connection sends it, and its
        // latency counts from then: a stalled gateway cannot hide its stall by slowing the sender.
        long intervalNanos = rate > 0 ? TimeUnit.SECONDS.toNanos(1) * eventsPerRequest / rate : 0;
        AtomicLong slot = new AtomicLong();
        NioHttpLoad.Schedule schedule = rate > 0 ? () -> {
            long due = start + slot.getAndIncrement() * intervalNanos;
            return due >= end ? NioHttpLoad.Schedule.OVER : due;
        } : () -> {
            long now = System.nanoTime();
            return now >= end ? NioHttpLoad.Schedule.OVER : now;
        };
        NioHttpLoad.Bodies bodies = new NioHttpLoad.Bodies() {
            @Override
            public byte[] next() {
                long first = sequence.getAndAdd(eventsPerRequest);
                return (mode == Mode.batch ? EventBodies.batch(first, batchSize, eventSize)
                        : EventBodies.event(first, eventSize)).getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public int eventsPerRequest() {
                return eventsPerRequest;
            }
        };
        NioHttpLoad.run(target, apiKey, connections, LOAD_THREADS, schedule, bodies, new NioHttpLoad.Outcomes() {
            @Override
            public void answered(int status, int acceptedEvents, long dueNanos, int requestBytes) {
                if (acceptedEvents > 0) {
                    result.accepted(status, (System.nanoTime() - dueNanos) / 1_000, acceptedEvents, requestBytes);
                } else {
                    result.refused(status);
                }
            }

            @Override
            public void failed() {
                result.failed();
            }
        });
        progress.shutdownNow();
        return result;
    }

    /** The stream's topic, as the gateway lists it. */
    private String topicOf() {
        return switch (stream) {
            case "audit" -> "audit.raw";
            case "orders" -> "orders.commands";
            case "inventory" -> "inventory.updates";
            case "notifications" -> "notifications.requests";
            default -> "analytics.events";
        };
    }

    private static int partitionsOf(Map<String, Object> kafka, String topic) throws Exception {
        try (Admin admin = Admin.create(kafka)) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().size();
        }
    }

    /**
     * The JVM of {@code backbone up} (broker, registry, gateway) for its CPU figure: the process whose
     * command line runs the launcher with {@code up}; none when the platform runs elsewhere.
     */
    private static ProcessHandle platformProcess() {
        return ProcessHandle.allProcesses()
                .filter(process -> process.pid() != ProcessHandle.current().pid())
                .filter(process -> process.info().arguments().map(List::of)
                        .map(arguments -> arguments.contains("up") && arguments.stream()
                                .anyMatch(argument -> argument.endsWith("backbone.jar")))
                        .orElse(false))
                .findFirst().orElse(null);
    }

    /** Apache Kafka's ProducerPerformance in a JVM of its own, with the gateway's producer settings. */
    private double producerPerformance(Map<String, Object> kafka, int recordSize, long records) throws Exception {
        String topic = "bench.producer-performance-" + System.currentTimeMillis();
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(topic, partitionsOf(kafka, topicOf()), (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ProducerPerformance",
                "--topic", topic, "--num-records", Long.toString(records), "--record-size",
                Integer.toString(Math.max(1, recordSize)), "--throughput", "-1", "--producer-props"));
        RawReplay.gatewayProducerConfig(kafka).forEach((name, value) -> command.add(name + "=" + value));
        Path log = Files.createTempFile("producer-performance", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("ProducerPerformance did not finish in 5 minutes; its output: " + log);
        }
        String output = Files.readString(log);
        Files.delete(log);
        Matcher summary = Pattern.compile("(\\d+) records sent, ([0-9.]+) records/sec").matcher(output);
        double perSecond = -1;
        while (summary.find()) {
            perSecond = Double.parseDouble(summary.group(2));
        }
        if (perSecond < 0) {
            throw new IllegalStateException("ProducerPerformance printed no summary:\n" + output);
        }
        try (Admin admin = Admin.create(kafka)) {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
        return perSecond;
    }

    /** CPU cores used by this JVM and by the platform's since the last call. */
    private static final class CpuMeter {
        private final ProcessHandle platform;
        private long lastWall = System.nanoTime();
        private long lastSelf = cpuNanos(ProcessHandle.current());
        private long lastPlatform;

        CpuMeter(ProcessHandle platform) {
            this.platform = platform;
            this.lastPlatform = platform == null ? 0 : cpuNanos(platform);
        }

        String sinceLast() {
            long wall = System.nanoTime();
            long self = cpuNanos(ProcessHandle.current());
            long platformNow = platform == null ? 0 : cpuNanos(platform);
            double seconds = (wall - lastWall) / 1e9;
            String text = String.format("bench %.2f", (self - lastSelf) / 1e9 / seconds)
                    + (platform == null ? "" : String.format(", platform %.2f", (platformNow - lastPlatform) / 1e9
                    / seconds));
            lastWall = wall;
            lastSelf = self;
            lastPlatform = platformNow;
            return text;
        }

        private static long cpuNanos(ProcessHandle process) {
            return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        }
    }

    private String apiKey() throws IOException {
        if (key != null) {
            return key;
        }
        String fromEnv = System.getenv("BACKBONE_API_KEY");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        Path devKey = dataDir.resolve("gateway").resolve("dev-api-key");
        if (!Files.exists(devKey)) {
            throw new dev.eventbackbone.launcher.LaunchException("No API key: pass --key, set BACKBONE_API_KEY, or run"
                    + " `./backbone up` first (it writes " + devKey + ").");
        }
        return Files.readString(devKey).trim();
    }

    private Map<String, Object> kafkaConfig() throws IOException {
        Map<String, Object> config = new HashMap<>();
        if (clientConfig != null) {
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(clientConfig)) {
                properties.load(in);
            }
            properties.stringPropertyNames().forEach(name -> config.put(name, properties.getProperty(name)));
        }
        config.put("bootstrap.servers", bootstrapServers);
        return config;
    }

    /** Reads {@code 30s}, {@code 2m}, {@code 500ms} or an ISO-8601 duration. */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String text = value.trim().toLowerCase();
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            if (text.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            if (text.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            return Duration.parse(value);
        }
    }
}
