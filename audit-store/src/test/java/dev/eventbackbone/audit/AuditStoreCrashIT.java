package dev.eventbackbone.audit;

import static dev.eventbackbone.audit.AuditRecords.login;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.embeddedkafka.KafkaTopics;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    private static final int EVENTS = 100_000;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void holdsExactlyEveryEventOnceAfterKillMinusNineMidStream() throws Exception {
        String topic = KafkaTopics.createUnique(registry.bootstrapServers(), "audit.events", 6);
        String apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), "acme", List.of("read:audit"), null).secret();
        int port = FreePorts.next();
        int adminPort = FreePorts.next();
        Path config = writeConfig(topic, port, adminPort);

        AtomicInteger produced = new AtomicInteger();
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
            Instant start = Instant.now();
            try (KafkaProducer<String, AuditRecord> producer = registry.avro().producer()) {
                for (int i = 0; i < EVENTS; i++) {
                    AuditRecord record = login("acme", "event-" + i, "user-" + (i % 500), start.plusMillis(i));
                    producer.send(new ProducerRecord<>(topic, "acme:" + record.getActorId(), record));
                    produced.incrementAndGet();
                    if (i % 10_000 == 9_999) {
                        producer.flush();
                    }
                }
            }
        });

        ServiceProcess store = processes.start(ServiceProcess.java(AuditStoreApplication.class, "server",
                config.toString()).log(dir.resolve("store.log"))
                .readyWhenHealthy("http://127.0.0.1:" + adminPort + "/ping"));
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() ->
                newestSequence(port, apiKey) >= 20_000);
        long seenBeforeKill = newestSequence(port, apiKey);
        store.killHard();
        assertThat(seenBeforeKill).as("killed in the middle of the stream").isLessThan(EVENTS);

        processes.restart(store);
        producing.get(TIMEOUT.toMinutes(), TimeUnit.MINUTES);
        assertThat(produced.get()).isEqualTo(EVENTS);
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() ->
                newestSequence(port, apiKey) == EVENTS);

        String api = "http://127.0.0.1:" + port + "/v1/audit";
        JsonNode verify = Http.getJson(api + "/verify", apiKey);
        assertThat(verify.path("verified").asBoolean()).as(verify.toString()).isTrue();
        assertThat(verify.path("recordsChecked").asLong()).isEqualTo(EVENTS);
        assertThat(Http.getJson(api + "/events/event-0", apiKey).path("sequence").asLong()).isPositive();
        assertThat(Http.getJson(api + "/events/event-" + (EVENTS - 1), apiKey).path("sequence").asLong())
                .isPositive();
        JsonNode metrics = Http.getJson("http://127.0.0.1:" + adminPort + "/metrics", null);
        assertThat(metrics.path("gauges").path("audit-store.duplicates-skipped").path("value").asLong())
                .as("records read twice after the crash").isZero();
    }

    private static long newestSequence(int port, String apiKey) {
        JsonNode events = Http.getJson("http://127.0.0.1:" + port + "/v1/audit/events?limit=1", apiKey).path("events");
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
}
