package dev.eventbackbone.audit;

import static dev.eventbackbone.audit.AuditRecords.login;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.audit.evidence.ExportVerifier;
import dev.eventbackbone.audit.evidence.ProofCheck;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.evidence.SigningKey;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.embeddedkafka.KafkaTopics;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import dev.eventbackbone.testing.ServiceYaml;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
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
        String headsTopic = KafkaTopics.createUnique(registry.bootstrapServers(), "audit.heads", 1);
        String apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), "acme", List.of("read:audit"), null).secret();
        int port = FreePorts.next();
        int adminPort = FreePorts.next();
        Path config = writeConfig(topic, headsTopic, port, adminPort);

        ServiceProcess store = processes.start(ServiceProcess.java(AuditStoreApplication.class, "server",
                config.toString()).log(dir.resolve("store.log"))
                .readyWhenHealthy("http://127.0.0.1:" + adminPort + "/ping"));
        // Joined and caught up with the empty topic before the stream starts, so the kill lands mid-stream.
        Awaitility.await().atMost(TIMEOUT).until(() -> Http.get("http://127.0.0.1:" + port
                + "/v1/audit/events?limit=1", apiKey).statusCode() == 200);
        AtomicInteger produced = new AtomicInteger();
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
            Instant start = Instant.now();
            try (KafkaProducer<String, AuditRecord> producer = registry.avro().producer()) {
                for (int i = 0; i < EVENTS; i++) {
                    AuditRecord record = login("acme", "event-" + i, "user-" + (i % 500), start.plusMillis(i));
                    producer.send(new ProducerRecord<>(topic, "acme", record));
                    produced.incrementAndGet();
                    if (i % 10_000 == 9_999) {
                        producer.flush();
                    }
                }
            }
        });

        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() ->
                storedLeaves(port, apiKey) >= 20_000);
        long seenBeforeKill = storedLeaves(port, apiKey);
        store.killHard();
        assertThat(seenBeforeKill).as("killed in the middle of the stream").isLessThan(EVENTS);
        SignedTreeHead beforeCrash = SignedTreeHead.fromJson(new ObjectMapper().readTree(
                Files.readString(dir.resolve("head-before-crash.json"))));

        processes.restart(store);
        producing.get(TIMEOUT.toMinutes(), TimeUnit.MINUTES);
        assertThat(produced.get()).isEqualTo(EVENTS);
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() ->
                storedLeaves(port, apiKey) == EVENTS);

        String api = "http://127.0.0.1:" + port + "/v1/audit";
        JsonNode verify = Http.getJson(api + "/verify", apiKey);
        assertThat(verify.path("verified").asBoolean()).as(verify.toString()).isTrue();
        assertThat(verify.path("leavesChecked").asLong()).isEqualTo(EVENTS);
        assertThat(verify.path("treeSize").asLong()).isEqualTo(EVENTS);

        PublicKey key = SigningKey.parsePublicPem(Http.getText(api + "/public-key.pem", null));
        ExportVerifier.Outcome export = ExportVerifier.verify(new BufferedReader(new StringReader(
                Http.getText(api + "/export", apiKey))), key, beforeCrash);
        assertThat(export.verified()).as(export.reason()).isTrue();
        assertThat(export.treeSize()).isEqualTo(EVENTS);
        for (int i = 0; i < 200; i++) {
            String eventId = "event-" + ThreadLocalRandom.current().nextInt(EVENTS);
            ProofCheck.Result inclusion = ProofCheck.check(
                    Http.getJson(api + "/proofs/inclusion?eventId=" + eventId, apiKey), key, null);
            assertThat(inclusion.verified()).as("%s: %s", eventId, inclusion.problem()).isTrue();
        }
        ProofCheck.Result consistent = ProofCheck.check(Http.getJson(api + "/proofs/consistency?from="
                + beforeCrash.treeSize(), apiKey), key, beforeCrash);
        assertThat(consistent.verified()).as("the head signed before the crash: %s", consistent.problem()).isTrue();
        JsonNode metrics = Http.getJson("http://127.0.0.1:" + adminPort + "/metrics", null);
        assertThat(metrics.path("gauges").path("audit-store.duplicates-skipped").path("value").asLong())
                .as("records read twice after the crash").isZero();
    }

    /**
     * How many leaves the store answers for, from its newest one (0 while it catches up after taking
     * its partitions, when it answers 503); while at it, keeps the newest signed head
     * seen, so the test holds one from before the crash as a witness would.
     */
    private long storedLeaves(int port, String apiKey) throws IOException {
        HttpResponse<String> answer = Http.get("http://127.0.0.1:" + port + "/v1/audit/events?limit=1", apiKey);
        if (answer.statusCode() == 503) {
            return 0;
        }
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode events = Http.json(answer).path("events");
        HttpResponse<String> head = Http.get("http://127.0.0.1:" + port + "/v1/audit/heads/latest", apiKey);
        if (head.statusCode() == 200) {
            Files.writeString(dir.resolve("head-before-crash.json"), head.body());
        }
        return events.isEmpty() ? 0 : events.get(0).path("index").asLong() + 1;
    }

    private Path writeConfig(String topic, String headsTopic, int port, int adminPort) throws IOException {
        Path config = dir.resolve("audit-store.yml");
        Files.writeString(config, """
                kafka:
                  bootstrapServers: %s
                  topic: %s
                  headsTopic: %s
                  groupId: audit-store-crash-test
                registry:
                  url: %s
                keysFile: %s
                dataDirectory: %s
                devMode: true
                headInterval: 1s
                %s""".formatted(registry.bootstrapServers(), topic, headsTopic, registry.url(), dir.resolve("keys.yml"),
                dir.resolve("store"), ServiceYaml.onLoopback(port, adminPort)));
        return config;
    }
}
