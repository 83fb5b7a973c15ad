package dev.eventbackbone.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.net.http.HttpResponse;
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
 * Three analytics instances in their own JVMs with one standby each: every query answers the same
 * on any of them, and a range over all keys gathers its parts from all three; one is killed with {@code kill -9} and the others keep answering every query
 * (from standbys, flagged, while the group has not noticed), then answer exactly, unflagged, once
 * the partitions have moved.
 */
class AnalyticsScaleOutIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension().onItsOwnBroker();

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    private static final int NAMES = 24;
    private static final int EVENTS_PER_NAME = 250;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String TENANT = "s-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyInstanceAnswersTheSameAndTheSurvivorsKeepAnsweringAfterKillMinusNine() throws Exception {
        TopicProvisioner.provisionCatalog(registry.bootstrapServers());
        String key = ApiKeyStore.create(dir.resolve("keys.yml"), TENANT, List.of("read:analytics"), null).secret();
        String applicationId = "analytics-" + UUID.randomUUID().toString().substring(0, 8);
        List<ServiceProcess> instances = new ArrayList<>();
        List<String> apis = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int port = FreePorts.next();
            int adminPort = FreePorts.next();
            instances.add(processes.start(ServiceProcess.java(AnalyticsApplication.class, "server",
                    config(i, port, adminPort, applicationId).toString()).log(dir.resolve("analytics-" + i + ".log"))
                    .readyWhenHealthy("http://127.0.0.1:" + adminPort + "/ping")));
            apis.add("http://127.0.0.1:" + port + "/v1/analytics");
        }
        Instant minute = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MINUTES);
        try (KafkaProducer<String, Object> producer = registry.avro().producer()) {
            for (int n = 0; n < NAMES; n++) {
                for (int i = 0; i < EVENTS_PER_NAME; i++) {
                    producer.send(new ProducerRecord<>(TopicCatalog.ANALYTICS_EVENTS, TENANT + ":u-" + i,
                            AnalyticsEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTenantId(TENANT)
                                    .setSource("test").setReceivedAt(Instant.now()).setName("event-" + n)
                                    .setUserId("u-" + i).setValue((double) i).setOccurredAt(minute.plusMillis(i))
                                    .build()));
                }
            }
        }
        String range = "&from=" + minute + "&to=" + minute.plus(Duration.ofMinutes(2));
        for (int n = 0; n < NAMES; n++) {
            String query = "/summary?name=event-" + n + range;
            Awaitility.await("event-" + n + " everywhere").atMost(TIMEOUT).ignoreExceptions().until(() ->
                    apis.stream().allMatch(api -> Http.getJson(api + query, key).path("count").asLong()
                            == EVENTS_PER_NAME));
            Map<String, JsonNode> answers = new HashMap<>();
            for (String api : apis) {
                answers.put(api, withoutServer(Http.getJson(api + query, key)));
            }
            assertThat(answers.values()).as("the same answer from every instance").allSatisfy(answer ->
                    assertThat(answer).isEqualTo(answers.get(apis.get(0))));
        }

        for (String api : apis) {
            JsonNode names = Http.getJson(api + "/names?" + range.substring(1), key);
            assertThat(names.path("instances").asInt()).as("a range over all keys asks all three").isEqualTo(3);
            assertThat(names.path("names")).hasSize(NAMES).allSatisfy(row ->
                    assertThat(row.path("count").asLong()).isEqualTo(EVENTS_PER_NAME));
        }

        instances.get(2).killHard();
        List<String> survivors = apis.subList(0, 2);
        int standbyAnswers = 0;
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            for (String api : survivors) {
                for (int n = 0; n < NAMES; n++) {
                    HttpResponse<String> answer = Http.get(api + "/summary?name=event-" + n + range, key);
                    assertThat(answer.statusCode()).as("event-%d on %s after the kill: %s", n, api, answer.body())
                            .isEqualTo(200);
                    JsonNode body = Http.json(answer);
                    assertThat(body.path("count").asLong()).isEqualTo(EVENTS_PER_NAME);
                    standbyAnswers += body.path("standby").asBoolean() ? 1 : 0;
                }
            }
        }
        assertThat(standbyAnswers).as("some answers came from standbys while the killed instance was still"
                + " named the owner").isPositive();

        Awaitility.await("every answer from an active task again").atMost(TIMEOUT).ignoreExceptions().until(() -> {
            for (String api : survivors) {
                for (int n = 0; n < NAMES; n++) {
                    JsonNode body = Http.getJson(api + "/summary?name=event-" + n + range, key);
                    if (body.path("standby").asBoolean() || body.path("count").asLong() != EVENTS_PER_NAME) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    private static JsonNode withoutServer(JsonNode answer) {
        ObjectNode copy = answer.deepCopy();
        copy.remove(List.of("servedBy", "standby", "lagRecords"));
        return copy;
    }

    private Path config(int index, int port, int adminPort, String applicationId) throws IOException {
        Path config = dir.resolve("analytics-" + index + ".yml");
        Files.writeString(config, """
                kafka:
                  bootstrapServers: %s
                  streamsProperties:
                    commit.interval.ms: "100"
                    num.stream.threads: "1"
                registry:
                  url: %s
                stateDir: %s
                keysFile: %s
                standbyReplicas: 1
                advertisedUrl: http://127.0.0.1:%d
                rollups:
                  applicationId: %s
                %s""".formatted(registry.bootstrapServers(), registry.url(), dir.resolve("state-" + index),
                dir.resolve("keys.yml"), port, applicationId, ServiceYaml.onLoopback(port, adminPort)));
        return config;
    }
}
