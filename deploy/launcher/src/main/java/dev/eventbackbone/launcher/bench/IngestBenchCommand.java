package dev.eventbackbone.launcher.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backbone bench ingest}: HTTP load against a running gateway, single events or batches,
 * closed-loop (as fast as the connections allow) or at a steady rate; with {@code --compare-raw},
 * a plain {@code kafka-clients} producer at full speed against the same broker right after.
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

    @Option(names = "--compare-raw", description = "Also run a plain Kafka producer at full speed on the same broker.")
    boolean compareRaw;

    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092",
            description = "Broker for --compare-raw. Default: ${DEFAULT-VALUE}.")
    String bootstrapServers;

    @Option(names = "--client-config", description = "Kafka client properties for --compare-raw (SASL/TLS).")
    Path clientConfig;

    @Option(names = "--raw-record-size", defaultValue = "0",
            description = "Value bytes of the raw producer's records; default: 0.6 x --event-size, about the Avro size.")
    int rawRecordSize;

    @Override
    public Integer call() throws Exception {
        String apiKey = apiKey();
        int eventsPerRequest = mode == Mode.batch ? batchSize : 1;
        URI target = URI.create(url + "/v1/events/" + stream + (mode == Mode.batch ? "/batch" : ""));
        System.out.printf("ingest bench: %s, %d event(s) per request of %d B JSON, %d connections, %s%s%n",
                target, eventsPerRequest, eventSize, connections, duration,
                rate > 0 ? ", steady " + rate + " events/s" : ", as fast as possible");

        LoadResult result = new LoadResult();
        AtomicLong sequence = new AtomicLong();
        long start = System.nanoTime();
        long measuredFrom = start + warmup.toNanos();
        long end = measuredFrom + duration.toNanos();
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        progress.schedule(result::reset, warmup.toMillis(), TimeUnit.MILLISECONDS);
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
        List<Thread> senders = new java.util.ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread sender = new Thread(() -> {
                try (Http1Connection connection = new Http1Connection(target, apiKey)) {
                    while (true) {
                        long intended = System.nanoTime();
                        if (rate > 0) {
                            intended = start + slot.getAndIncrement() * intervalNanos;
                            long wait = intended - System.nanoTime();
                            if (wait > 0) {
                                TimeUnit.NANOSECONDS.sleep(wait);
                            }
                        }
                        if (intended >= end) {
                            return;
                        }
                        long first = sequence.getAndAdd(eventsPerRequest);
                        byte[] body = (mode == Mode.batch ? EventBodies.batch(first, batchSize, eventSize)
                                : EventBodies.event(first, eventSize)).getBytes(StandardCharsets.UTF_8);
                        try {
                            Http1Connection.Answer answer = connection.post(body, eventsPerRequest);
                            if (answer.acceptedEvents() > 0) {
                                result.accepted(answer.status(), (System.nanoTime() - intended) / 1_000,
                                        answer.acceptedEvents(), body.length);
                            } else {
                                result.refused(answer.status());
                            }
                        } catch (IOException e) {
                            result.failed();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-connection-" + c);
            sender.setDaemon(true);
            sender.start();
            senders.add(sender);
        }
        for (Thread sender : senders) {
            sender.join();
        }
        progress.shutdownNow();
        System.out.println();
        System.out.println("gateway (" + mode + (mode == Mode.batch ? " of " + batchSize : "") + "):");
        result.print(System.out, duration.toNanos() / 1e9);
        double gatewayRate = result.events() / (duration.toNanos() / 1e9);

        if (compareRaw) {
            int size = rawRecordSize > 0 ? rawRecordSize : (int) (eventSize * 0.6);
            double raw = RawProducerRun.run(kafkaConfig(), size, EventBodies.USERS, duration);
            System.out.println();
            System.out.printf("raw kafka-clients producer (acks=all, idempotent, linger 5 ms, lz4, 6 partitions,"
                    + " %d B values):%n  throughput      %,.0f events/s%n", size, raw);
            System.out.printf("%ngateway / raw    %.0f %%%n", 100 * gatewayRate / raw);
        }
        return 0;
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

    /** A plain producer with the gateway's settings, at full speed, on a scratch topic. */
    static final class RawProducerRun {

        private RawProducerRun() {
        }

        static double run(Map<String, Object> kafka, int valueSize, int keys, Duration duration) throws Exception {
            String topic = "bench.raw-" + System.currentTimeMillis();
            try (Admin admin = Admin.create(kafka)) {
                int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
                admin.createTopics(List.of(new NewTopic(topic, 6, (short) Math.min(3, brokers)))).all()
                        .get(30, TimeUnit.SECONDS);
                try {
                    return produce(kafka, topic, valueSize, keys, duration);
                } finally {
                    admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                }
            }
        }

        private static double produce(Map<String, Object> kafka, String topic, int valueSize, int keys,
                                      Duration duration) {
            Map<String, Object> config = new HashMap<>(kafka);
            config.putAll(Map.of("acks", "all", "enable.idempotence", "true", "linger.ms", "5",
                    "batch.size", "131072", "compression.type", "lz4", "max.in.flight.requests.per.connection", "5"));
            // Values like the gateway's: the same event text per user, so lz4 finds what it finds there, no more.
            byte[][] keyBytes = new byte[keys][];
            byte[][] values = new byte[keys][];
            for (int i = 0; i < keys; i++) {
                keyBytes[i] = ("bench:u-" + i).getBytes(StandardCharsets.UTF_8);
                values[i] = EventBodies.event(i, valueSize).getBytes(StandardCharsets.UTF_8);
            }
            LongAdder acked = new LongAdder();
            LongAdder failed = new LongAdder();
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            try (KafkaProducer<byte[], byte[]> producer =
                         new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (long n = 0; System.nanoTime() < end; n++) {
                    producer.send(new ProducerRecord<>(topic, keyBytes[(int) (n % keys)], values[(int) (n % keys)]), (metadata, failure) -> {
                        if (failure == null) {
                            acked.increment();
                        } else {
                            failed.increment();
                        }
                    });
                }
                producer.flush();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("  raw producer: %,d records acknowledged, %,d failed, in %.1f s%n", acked.sum(),
                    failed.sum(), seconds);
            return acked.sum() / seconds;
        }
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
