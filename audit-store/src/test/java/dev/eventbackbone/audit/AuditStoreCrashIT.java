package dev.eventbackbone.audit;

import static dev.eventbackbone.audit.AuditRecords.login;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.registry.RegistryExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit store in its own JVM is killed with SIGKILL while 100,000 events stream in. Restarted,
 * it holds each event exactly once and the chain verifies: offsets and records were written in one
 * batch, so it resumed where its last write ended, with nothing to skip as a duplicate.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class AuditStoreCrashIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    private static final int EVENTS = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void holdsExactlyEveryEventOnceAfterKillMinusNineMidStream() throws Exception {
        String topic = "audit.events-" + UUID.randomUUID();
        AuditTopics.create(registry.bootstrapServers(), topic, 6);
        String apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), "acme", List.of("read:audit"), null).secret();
        int port = freePort();
        int adminPort = freePort();
        Path config = writeConfig(topic, port, adminPort);

        AtomicInteger produced = new AtomicInteger();
        Thread producing = new Thread(() -> {
            Instant start = Instant.now();
            try (KafkaProducer<String, AuditRecord> producer = AuditTopics.producer(registry.bootstrapServers(),
                    registry.url())) {
                for (int i = 0; i < EVENTS; i++) {
                    AuditRecord record = login("acme", "event-" + i, "user-" + (i % 500), start.plusMillis(i));
                    producer.send(new ProducerRecord<>(topic, "acme:" + record.getActorId(), record));
                    produced.incrementAndGet();
                    if (i % 10_000 == 9_999) {
                        producer.flush();
                    }
                }
            }
        }, "audit-producer");
        producing.start();

        Process first = startStore(config, "first.log");
        awaitHealthy(adminPort, first);
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(10)).until(() ->
                newestSequence(port, apiKey) >= 20_000);
        long seenBeforeKill = newestSequence(port, apiKey);
        first.toHandle().destroyForcibly();
        first.waitFor();
        assertThat(seenBeforeKill).as("killed in the middle of the stream").isLessThan(EVENTS);

        Process second = startStore(config, "second.log");
        try {
            awaitHealthy(adminPort, second);
            producing.join(Duration.ofMinutes(3).toMillis());
            assertThat(produced.get()).isEqualTo(EVENTS);
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() ->
                    newestSequence(port, apiKey) == EVENTS);

            JsonNode verify = get("http://127.0.0.1:" + port + "/v1/audit/verify", apiKey);
            assertThat(verify.path("verified").asBoolean()).as(verify.toString()).isTrue();
            assertThat(verify.path("recordsChecked").asLong()).isEqualTo(EVENTS);
            assertThat(get("http://127.0.0.1:" + port + "/v1/audit/events/event-0", apiKey).path("sequence").asLong())
                    .isPositive();
            assertThat(get("http://127.0.0.1:" + port + "/v1/audit/events/event-" + (EVENTS - 1), apiKey)
                    .path("sequence").asLong()).isPositive();
            JsonNode metrics = get("http://127.0.0.1:" + adminPort + "/metrics", null);
            assertThat(metrics.path("gauges").path("audit-store.duplicates-skipped").path("value").asLong())
                    .as("records read twice after the crash").isZero();
        } finally {
            second.toHandle().destroy();
            second.waitFor();
        }
    }

    private static long newestSequence(int port, String apiKey) {
        JsonNode events = get("http://127.0.0.1:" + port + "/v1/audit/events?limit=1", apiKey).path("events");
        return events.isEmpty() ? 0 : events.get(0).path("sequence").asLong();
    }

    private Path writeConfig(String topic, int port, int adminPort) throws IOException {
        Path config = dir.resolve("audit-store.yml");
        Files.writeString(config, """
                kafka:
                  bootstrapServers: %s
                  topic: %s
                registry:
                  url: %s
                keysFile: %s
                dataDirectory: %s
                server:
                  applicationConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %d
                  adminConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %d
                logging:
                  level: INFO
                  loggers:
                    org.apache.kafka: WARN
                """.formatted(registry.bootstrapServers(), topic, registry.url(), dir.resolve("keys.yml"),
                dir.resolve("store"), port, adminPort));
        return config;
    }

    private Process startStore(Path config, String logFile) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.eventbackbone",
                "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                "-cp", System.getProperty("java.class.path"),
                AuditStoreApplication.class.getName(), "server", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(logFile).toFile())
                .start();
    }

    private static void awaitHealthy(int adminPort, Process store) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> {
                    assertThat(store.isAlive()).as("audit store process alive").isTrue();
                    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ping"))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                });
    }

    private static JsonNode get(String url, String apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
