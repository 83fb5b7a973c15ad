package dev.eventbackbone.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.events.AnalyticsEvent;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import dev.eventbackbone.testing.ServiceYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200,000 analytics events of 3 tenants, in random event-time order over an hour, through the
 * analytics service in its own JVM on a real broker; then every minute's count and sum is compared
 * with a recomputation from what was sent, distinct users with the exact figure (within 2 %), each
 * quantile's rank with the sketch's documented rank error, and the top values of a property with
 * their exact counts.
 */
class AnalyticsAccuracyIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension().onItsOwnBroker();

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    private static final int EVENTS = 200_000;
    private static final List<String> NAMES = List.of("page_view", "search", "add_to_cart", "checkout", "signup");
    private static final int USERS = 20_000;
    private static final List<String> PLANS = List.of("free", "pro", "team");
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** Per key ({@code tenant|name}): minute start to [count, sum]; the users; the values. */
    private final Map<String, Map<Long, long[]>> minutes = new HashMap<>();
    private final Map<String, Set<String>> users = new HashMap<>();
    private final Map<String, List<Double>> values = new HashMap<>();
    /** Per tenant: plan to events. */
    private final Map<String, Map<String, Long>> plans = new HashMap<>();

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyCountAndSumEqualsARecomputationAndTheSketchesKeepTheirPromises() throws Exception {
        TopicProvisioner.provisionCatalog(registry.bootstrapServers());
        List<String> tenants = List.of(tenant(), tenant(), tenant());
        Map<String, String> keys = new HashMap<>();
        for (String tenant : tenants) {
            keys.put(tenant, ApiKeyStore.create(dir.resolve("keys.yml"), tenant, List.of("read:analytics"), null)
                    .secret());
        }
        int port = FreePorts.next();
        int adminPort = FreePorts.next();
        processes.start(ServiceProcess.java(AnalyticsApplication.class, "server", config(port, adminPort).toString())
                .log(dir.resolve("analytics.log")).readyWhenHealthy("http://127.0.0.1:" + adminPort + "/ping"));

        Instant hour = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.HOURS);
        Random random = new Random(42);
        try (KafkaProducer<String, Object> producer = registry.avro().producer()) {
            for (int i = 0; i < EVENTS; i++) {
                String tenant = tenants.get(random.nextInt(tenants.size()));
                String name = NAMES.get(Math.min(NAMES.size() - 1, (int) Math.abs(random.nextGaussian() * 1.5)));
                String user = "u-" + random.nextInt(USERS);
                double value = Math.floor(Math.exp(random.nextGaussian() + 4));
                Instant at = hour.plusMillis(random.nextInt((int) Duration.ofHours(1).toMillis()));
                String plan = PLANS.get(Math.min(PLANS.size() - 1, (int) Math.abs(random.nextGaussian())));
                producer.send(new ProducerRecord<>(TopicCatalog.ANALYTICS_EVENTS, tenant + ":" + user,
                        AnalyticsEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTenantId(tenant)
                                .setSource("test").setReceivedAt(Instant.now()).setName(name).setUserId(user)
                                .setValue(value).setOccurredAt(at).setProperties(Map.of("plan", plan)).build()));
                plans.computeIfAbsent(tenant, t -> new HashMap<>()).merge(plan, 1L, Long::sum);
                expect(Measure.key(tenant, name), user, value, at);
                expect(Measure.key(tenant, Measure.ALL), user, value, at);
            }
        }

        String range = "&from=" + hour + "&to=" + hour.plus(Duration.ofHours(1));
        for (String tenant : tenants) {
            String api = "http://127.0.0.1:" + port + "/v1/analytics";
            for (String name : concat(NAMES, Measure.ALL)) {
                String key = Measure.key(tenant, name);
                Map<Long, long[]> expected = minutes.getOrDefault(key, Map.of());
                long total = expected.values().stream().mapToLong(point -> point[0]).sum();
                JsonNode series = Awaitility.await("every event of " + key).atMost(TIMEOUT).ignoreExceptions()
                        .until(() -> Http.getJson(api + "/series?interval=minute&name=" + name + range,
                                keys.get(tenant)), answer -> answer.path("points").findValues("count").stream()
                                .mapToLong(JsonNode::asLong).sum() == total);
                assertThat(series.path("points")).hasSize(60);
                for (JsonNode point : series.path("points")) {
                    long[] recomputed = expected.getOrDefault(Instant.parse(point.path("start").asText()).toEpochMilli(),
                            new long[2]);
                    assertThat(point.path("count").asLong()).as("%s at %s", key, point.path("start")).isEqualTo(recomputed[0]);
                    assertThat(point.path("sum").asDouble()).as("%s at %s", key, point.path("start"))
                            .isEqualTo((double) recomputed[1]);
                }

                JsonNode summary = Http.getJson(api + "/summary?name=" + name + range, keys.get(tenant));
                assertThat(summary.path("count").asLong()).isEqualTo(total);
                int exact = users.get(key).size();
                assertThat(summary.path("distinctUsers").asDouble()).as("distinct users of %s", key)
                        .isBetween(exact * 0.98, exact * 1.02);
                double[] sorted = values.get(key).stream().mapToDouble(Double::doubleValue).sorted().toArray();
                double rankError = summary.path("quantiles").path("rankError").asDouble();
                for (String quantile : new String[] {"p50", "p90", "p99"}) {
                    double rank = Integer.parseInt(quantile.substring(1)) / 100.0;
                    double answer = summary.path("quantiles").path(quantile).asDouble();
                    double below = (double) Arrays.stream(sorted).filter(v -> v < answer).count() / sorted.length;
                    double atOrBelow = (double) Arrays.stream(sorted).filter(v -> v <= answer).count() / sorted.length;
                    assertThat(rank).as("%s of %s: %s holds ranks %s to %s", quantile, key, answer, below, atOrBelow)
                            .isBetween(below - rankError, atOrBelow + rankError);
                }
            }
            JsonNode topPlans = Http.getJson("http://127.0.0.1:" + port + "/v1/analytics/top-values?property=plan"
                    + range, keys.get(tenant));
            Map<String, Long> answered = new HashMap<>();
            topPlans.path("values").forEach(row -> answered.put(row.path("value").asText(), row.path("count").asLong()));
            assertThat(answered).as("plans of %s: 3 values, fewer than the sketch tracks, so exact", tenant)
                    .isEqualTo(plans.get(tenant));
        }
    }

    private void expect(String key, String user, double value, Instant at) {
        long minute = at.truncatedTo(ChronoUnit.MINUTES).toEpochMilli();
        long[] point = minutes.computeIfAbsent(key, k -> new HashMap<>()).computeIfAbsent(minute, m -> new long[2]);
        point[0]++;
        point[1] += (long) value;
        users.computeIfAbsent(key, k -> new HashSet<>()).add(user);
        values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    private static List<String> concat(List<String> names, String all) {
        List<String> every = new ArrayList<>(names);
        every.add(all);
        return every;
    }

    private static String tenant() {
        return "a-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Path config(int port, int adminPort) throws IOException {
        Path config = dir.resolve("analytics.yml");
        Files.writeString(config, """
                kafka:
                  bootstrapServers: %s
                  streamsProperties:
                    commit.interval.ms: "100"
                registry:
                  url: %s
                stateDir: %s
                keysFile: %s
                standbyReplicas: 0
                rollups:
                  applicationId: analytics-%s
                  # The events arrive in random order over an hour: the grace covers all of it.
                  grace: 2h
                %s""".formatted(registry.bootstrapServers(), registry.url(), dir.resolve("state"),
                dir.resolve("keys.yml"), UUID.randomUUID().toString().substring(0, 8), ServiceYaml.onLoopback(port, adminPort)));
        return config;
    }
}
