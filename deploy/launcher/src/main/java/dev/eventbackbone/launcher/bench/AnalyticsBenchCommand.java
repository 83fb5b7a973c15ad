package dev.eventbackbone.launcher.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.analytics.AnalyticsApplication;
import dev.eventbackbone.analytics.AnalyticsConfiguration;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.AnalyticsEvent;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroSerde;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.launcher.DropwizardServer;
import dev.eventbackbone.launcher.LocalPlatform;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backbone bench analytics}: events already on {@code analytics.events} rolled up by the
 * analytics service (exactly once, into minute and hour window stores with their sketches) from
 * its start until the last one is counted, beside a plain exactly-once Streams copy of the same
 * records on the same broker; then the latency of one-hour minute series queries over HTTP.
 */
@Command(name = "analytics",
        mixinStandardHelpOptions = true,
        description = "Measures the analytics rollups (events to counted, exactly once) beside a plain exactly-once"
                + " Streams copy of the same events, and the latency of one-hour series queries, on a local broker and"
                + " registry started on free ports.")
public final class AnalyticsBenchCommand implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "1000000", description = "Events rolled up. Default: ${DEFAULT-VALUE}.")
    int events;

    @Option(names = "--names", defaultValue = "20", description = "Event names they spread over. Default: ${DEFAULT-VALUE}.")
    int names;

    @Option(names = "--users", defaultValue = "50000", description = "Users they come from. Default: ${DEFAULT-VALUE}.")
    int users;

    @Option(names = "--queries", defaultValue = "2000", description = "Series queries timed. Default: ${DEFAULT-VALUE}.")
    int queries;

    @Option(names = "--work-dir", description = "Where the platform's data goes; default a fresh temporary directory.")
    Path workDir;

    private static final Duration GIVE_UP = Duration.ofMinutes(10);
    private static final String TENANT = "bench";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("analytics-bench");
        LocalPlatform.Settings settings = LocalPlatform.Settings.onFreePorts(dir, EnumSet.noneOf(LocalPlatform.Service.class));
        System.out.printf("analytics bench: %,d events over %d names from %,d users, then %,d queries; data in %s%n",
                events, names, users, queries, dir);
        try (LocalPlatform platform = LocalPlatform.start(settings, new PrintStream(OutputStream.nullOutputStream()))) {
            String bootstrap = "127.0.0.1:" + settings.kafkaPort();
            String registryUrl = "http://127.0.0.1:" + settings.registryPort();
            Serde<AnalyticsEvent> serde = AvroSerde.specific(AnalyticsEvent.class,
                    SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", registryUrl)));
            Instant hour = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.HOURS);
            String[] referenceTopics = PassThroughReference.topics(bootstrap, 6);
            produce(bootstrap, serde, hour);
            String apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), TENANT, List.of("read:analytics"), null)
                    .secret();

            AnalyticsConfiguration configuration = new AnalyticsConfiguration()
                    .embeddedOnLoopback(FreePorts.next(), FreePorts.next());
            configuration.getKafka().setBootstrapServers(bootstrap);
            configuration.getRegistry().setUrl(registryUrl);
            configuration.setKeysFile(dir.resolve("keys.yml"));
            configuration.setStateDir(dir.resolve("analytics-state"));
            configuration.setStandbyReplicas(0);
            configuration.getRollups().setApplicationId("bench-analytics-" + UUID.randomUUID());
            configuration.getRollups().setGrace(io.dropwizard.util.Duration.hours(2));
            long started = System.nanoTime();
            double rollupRate;
            Histogram latency;
            Histogram fanOut;
            try (DropwizardServer analytics = DropwizardServer.start(new AnalyticsApplication(), configuration)) {
                String api = "http://127.0.0.1:" + analytics.localPort() + "/v1/analytics";
                String range = "&from=" + hour + "&to=" + hour.plus(Duration.ofHours(1));
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                awaitCounted(http, api + "/summary?name=*" + range, apiKey);
                rollupRate = events / ((System.nanoTime() - started) / 1e9);
                latency = queryLatency(http, api, range, apiKey);
                try (DropwizardServer second = DropwizardServer.start(new AnalyticsApplication(),
                        instance(configuration, dir, 2));
                     DropwizardServer third = DropwizardServer.start(new AnalyticsApplication(),
                             instance(configuration, dir, 3))) {
                    String names = api + "/names?from=" + hour + "&to=" + hour.plus(Duration.ofHours(1));
                    awaitAllThree(http, names, apiKey);
                    fanOut = timed(http, names, apiKey, queries / 4);
                }
            }
            double reference = PassThroughReference.run(bootstrap, referenceTopics[0], referenceTopics[1], events,
                    i -> key(i).getBytes(StandardCharsets.UTF_8), i -> serde.serializer().serialize(
                            TopicCatalog.ANALYTICS_EVENTS, event(i, hour)));

            System.out.printf("%n| measure | result |%n|---|---|%n");
            System.out.printf("| rollups: events counted per second, exactly once (minute and hour windows, sketches)"
                    + " | %,.0f events/s |%n", rollupRate);
            System.out.printf("| reference: plain exactly-once Streams copy of the same events, same broker"
                    + " | %,.0f records/s |%n", reference);
            System.out.printf("| one-hour minute series over HTTP, %,d queries: p50 / p99 / max | %.2f / %.2f / %.2f ms |%n",
                    queries, latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                    latency.getMaxValue() / 1000.0);
            System.out.printf("| every name's count over an hour, gathered from 3 instances, %,d queries: p50 / p99 / max"
                    + " | %.2f / %.2f / %.2f ms |%n", queries / 4, fanOut.getValueAtPercentile(50) / 1000.0,
                    fanOut.getValueAtPercentile(99) / 1000.0, fanOut.getMaxValue() / 1000.0);
        }
        return 0;
    }

    private void produce(String bootstrap, Serde<AnalyticsEvent> serde, Instant hour) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (long i = 0; i < events; i++) {
                producer.send(new ProducerRecord<>(TopicCatalog.ANALYTICS_EVENTS, key(i).getBytes(StandardCharsets.UTF_8),
                        serde.serializer().serialize(TopicCatalog.ANALYTICS_EVENTS, event(i, hour))),
                        (metadata, error) -> {
                            if (error != null) {
                                failed.compareAndSet(null, error);
                            }
                        });
            }
        }
        if (failed.get() != null) {
            throw new IllegalStateException("Writing the events failed", failed.get());
        }
    }

    private String key(long i) {
        return TENANT + ":u-" + (i * 7919 % users);
    }

    private AnalyticsEvent event(long i, Instant hour) {
        return AnalyticsEvent.newBuilder().setEventId(TENANT + "-" + i).setTenantId(TENANT).setSource("bench")
                .setReceivedAt(Instant.now()).setName("event-" + (i % names)).setUserId("u-" + (i * 7919 % users))
                .setValue((double) (i % 1000)).setOccurredAt(hour.plusMillis(i * 3_600_000L / events)).build();
    }

    private void awaitCounted(HttpClient http, String summary, String apiKey) throws Exception {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        while (true) {
            HttpResponse<String> answer = get(http, summary, apiKey);
            if (answer.statusCode() == 200 && JSON.readTree(answer.body()).path("count").asLong() >= events) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Not every event was counted: " + answer.body());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Another instance of the same application, on ports and a state directory of its own. */
    private static AnalyticsConfiguration instance(AnalyticsConfiguration first, Path dir, int number) {
        AnalyticsConfiguration configuration = new AnalyticsConfiguration()
                .embeddedOnLoopback(FreePorts.next(), FreePorts.next());
        configuration.getKafka().setBootstrapServers(first.getKafka().getBootstrapServers());
        configuration.getRegistry().setUrl(first.getRegistry().getUrl());
        configuration.setKeysFile(first.getKeysFile());
        configuration.setStateDir(dir.resolve("analytics-state-" + number));
        configuration.setStandbyReplicas(0);
        configuration.getRollups().setApplicationId(first.getRollups().getApplicationId());
        configuration.getRollups().setGrace(first.getRollups().getGrace());
        return configuration;
    }

    /** Until the three instances share the partitions and every event is counted among their parts. */
    private void awaitAllThree(HttpClient http, String names, String apiKey) throws Exception {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        while (true) {
            HttpResponse<String> answer = get(http, names, apiKey);
            if (answer.statusCode() == 200) {
                var body = JSON.readTree(answer.body());
                long counted = 0;
                for (var row : body.path("names")) {
                    counted += row.path("count").asLong();
                }
                if (body.path("instances").asInt() == 3 && counted == events) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The three instances never answered together: " + answer.body());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    private Histogram timed(HttpClient http, String url, String apiKey, int count) throws Exception {
        for (int i = 0; i < 50; i++) {
            get(http, url, apiKey);
        }
        Histogram latency = new Histogram(3);
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            HttpResponse<String> answer = get(http, url, apiKey);
            latency.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("A query answered " + answer.statusCode() + ": " + answer.body());
            }
        }
        return latency;
    }

    private Histogram queryLatency(HttpClient http, String api, String range, String apiKey) throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            get(http, api + "/series?interval=minute&name=event-" + random.nextInt(names) + range, apiKey);
        }
        Histogram latency = new Histogram(3);
        for (int i = 0; i < queries; i++) {
            String url = api + "/series?interval=minute&name=event-" + random.nextInt(names) + range;
            long start = System.nanoTime();
            HttpResponse<String> answer = get(http, url, apiKey);
            latency.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("A series query answered " + answer.statusCode() + ": " + answer.body());
            }
        }
        return latency;
    }

    private static HttpResponse<String> get(HttpClient http, String url, String apiKey) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + apiKey).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
