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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * The analytics service is killed with {@code kill -9} while it counts, with parts of windows
 * counted by the reading tasks and not yet passed on, then restarted on the same state directory,
 * and copies of the first events sent arrive after the kill (as the gateway's spool resends
 * them): every minute of every name ends with exactly the events sent, none lost and none counted
 * twice.
 */
class AnalyticsCrashIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension().onItsOwnBroker();

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    private static final int EVENTS_EACH_SIDE = 60_000;
    private static final int COPIES = 2_000;
    private static final String[] NAMES = {"view", "search", "buy"};
    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    private static final String TENANT = "c-" + UUID.randomUUID().toString().substring(0, 8);

    /** Per name and minute start, the events sent. */
    private final Map<String, Map<Long, Long>> sent = new HashMap<>();
    /** The records sent, to send copies of. */
    private final List<ProducerRecord<String, Object>> records = new ArrayList<>();
    private final Instant hour = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.HOURS);

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aKillMinusNineWhileCountingLosesNothingAndCountsNothingTwice() throws Exception {
        TopicProvisioner.provisionCatalog(registry.bootstrapServers());
        String key = ApiKeyStore.create(dir.resolve("keys.yml"), TENANT, List.of("read:analytics"), null)
                .secret();
        int port = FreePorts.next();
        int adminPort = FreePorts.next();
        String api = "http://127.0.0.1:" + port + "/v1/analytics";
        String range = "&from=" + hour + "&to=" + hour.plus(Duration.ofHours(1));
        send(0, EVENTS_EACH_SIDE);
        ServiceProcess analytics = processes.start(ServiceProcess.java(AnalyticsApplication.class, "server",
                config(port, adminPort).toString()).log(dir.resolve("analytics.log"))
                .readyWhenHealthy("http://127.0.0.1:" + adminPort + "/ping"));

        long countedAtKill = Awaitility.await("the first counts").atMost(TIMEOUT).ignoreExceptions()
                .until(() -> Http.getJson(api + "/summary?name=*" + range, key).path("count").asLong(),
                        count -> count > 0);
        analytics.killHard();
        assertThat(countedAtKill).as("killed while counting").isLessThan(EVENTS_EACH_SIDE);
        send(EVENTS_EACH_SIDE, 2 * EVENTS_EACH_SIDE);
        sendCopies(COPIES);
        processes.restart(analytics);

        // Asserted rather than compared, so that a failure says which count it saw last: too few or too many.
        Awaitility.await("every event counted once, and still so a while later").atMost(TIMEOUT)
                .during(Duration.ofSeconds(3)).ignoreExceptions().untilAsserted(() ->
                        assertThat(Http.getJson(api + "/summary?name=*" + range, key).path("count").asLong())
                                .as("events counted").isEqualTo(2L * EVENTS_EACH_SIDE));
        for (String name : NAMES) {
            JsonNode series = Http.getJson(api + "/series?interval=minute&name=" + name + range, key);
            for (JsonNode point : series.path("points")) {
                long minute = Instant.parse(point.path("start").asText()).toEpochMilli();
                assertThat(point.path("count").asLong()).as("%s at %s", name, point.path("start"))
                        .isEqualTo(sent.get(name).getOrDefault(minute, 0L));
            }
        }
    }

    private void send(int from, int to) {
        try (KafkaProducer<String, Object> producer = registry.avro().producer()) {
            for (int i = from; i < to; i++) {
                String name = NAMES[i % NAMES.length];
                Instant at = hour.plusMillis(i * (Duration.ofHours(1).toMillis() / (2L * EVENTS_EACH_SIDE)));
                ProducerRecord<String, Object> record = new ProducerRecord<>(TopicCatalog.ANALYTICS_EVENTS,
                        TENANT + ":u-" + (i % 5_000), AnalyticsEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                        .setTenantId(TENANT).setSource("test").setReceivedAt(Instant.now()).setName(name)
                        .setUserId("u-" + (i % 5_000)).setValue(1.0).setOccurredAt(at).build());
                producer.send(record);
                records.add(record);
                sent.computeIfAbsent(name, n -> new HashMap<>()).merge(at.truncatedTo(ChronoUnit.MINUTES).toEpochMilli(),
                        1L, Long::sum);
            }
        }
    }

    /** Sends the first {@code count} records again: each is still counted once. */
    private void sendCopies(int count) {
        try (KafkaProducer<String, Object> producer = registry.avro().producer()) {
            records.subList(0, count).forEach(producer::send);
        }
    }

    private Path config(int port, int adminPort) throws IOException {
        Path config = dir.resolve("analytics.yml");
        Files.writeString(config, """
                kafka:
                  bootstrapServers: %s
                registry:
                  url: %s
                stateDir: %s
                keysFile: %s
                standbyReplicas: 0
                rollups:
                  applicationId: analytics-%s
                  grace: 3h
                %s""".formatted(registry.bootstrapServers(), registry.url(), dir.resolve("state"),
                dir.resolve("keys.yml"), UUID.randomUUID().toString().substring(0, 8),
                ServiceYaml.onLoopback(port, adminPort)));
        return config;
    }
}
