package dev.eventbackbone.audit;

import static dev.eventbackbone.audit.AuditRecords.login;
import static dev.eventbackbone.audit.AuditRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.audit.chain.ExportVerifier;
import dev.eventbackbone.audit.chain.SigningKey;
import dev.eventbackbone.audit.store.StoredBytes;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.contracts.serde.AvroSerde;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.registry.RegistryExtension;
import io.dropwizard.logging.common.ExternalLoggingFactory;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The audit store on a real broker and registry, answering over real HTTP. */
@ExtendWith(EmbeddedKafkaExtension.class)
class AuditStoreIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.now();

    @TempDir
    Path dir;

    private String topic;
    private String deadLetterTopic;
    private String acmeKey;
    private String globexKey;
    private String ingestOnlyKey;
    private DropwizardTestSupport<AuditStoreConfiguration> store;
    private KafkaProducer<String, AuditRecord> producer;

    @BeforeEach
    void setUp() {
        topic = "audit.events-" + UUID.randomUUID();
        deadLetterTopic = "audit.dlq-" + UUID.randomUUID();
        AuditTopics.create(registry.bootstrapServers(), topic, 3);
        AuditTopics.create(registry.bootstrapServers(), deadLetterTopic, 1);
        Path keys = dir.resolve("keys.yml");
        acmeKey = ApiKeyStore.create(keys, "acme", List.of("read:audit"), null).secret();
        globexKey = ApiKeyStore.create(keys, "globex", List.of("read:audit"), null).secret();
        ingestOnlyKey = ApiKeyStore.create(keys, "acme", List.of("ingest:*"), null).secret();
        producer = AuditTopics.producer(registry.bootstrapServers(), registry.url());
        store = startStore();
    }

    @AfterEach
    void tearDown() {
        store.after();
        producer.close();
    }

    private DropwizardTestSupport<AuditStoreConfiguration> startStore() {
        AuditStoreConfiguration configuration = new AuditStoreConfiguration().embeddedOnLoopback(0, 0);
        configuration.getKafka().setBootstrapServers(registry.bootstrapServers());
        configuration.getKafka().setTopic(topic);
        configuration.getKafka().setDeadLetterTopic(deadLetterTopic);
        configuration.getRegistry().setUrl(registry.url());
        configuration.setDataDirectory(dir.resolve("store"));
        configuration.setKeysFile(dir.resolve("keys.yml"));
        configuration.setCheckpointEvery(4);
        configuration.setCheckpointInterval(io.dropwizard.util.Duration.milliseconds(200));
        configuration.setLoggingFactory(new ExternalLoggingFactory());
        DropwizardTestSupport<AuditStoreConfiguration> app =
                new DropwizardTestSupport<>(AuditStoreApplication.class, configuration);
        try {
            app.before();
        } catch (Exception e) {
            app.after();
            throw new IllegalStateException("Audit store did not start", e);
        }
        return app;
    }

    private void send(AuditRecord record) {
        producer.send(new ProducerRecord<>(topic, record.getTenantId() + ":" + record.getActorId(), record));
    }

    @Test
    void recordsAreSearchableWithinTwoSecondsAndTheChainVerifiesOnlineAndOffline() throws Exception {
        for (int i = 0; i < 10; i++) {
            send(login("acme", "acme-" + i, i % 2 == 0 ? "alice" : "bob", NOW.plusMillis(i)));
        }
        send(record("acme", "acme-denied", "alice", "authz.denied", AuditOutcome.DENIED, "doc-7", NOW));
        producer.flush();
        long sentAt = System.nanoTime();

        Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() ->
                get("/v1/audit/events?actor=alice", acmeKey).path("events").size() == 6);
        assertThat(Duration.ofNanos(System.nanoTime() - sentAt)).isLessThan(Duration.ofSeconds(2));

        JsonNode denied = get("/v1/audit/events?outcome=denied&resource=doc-7", acmeKey).path("events");
        assertThat(denied).hasSize(1);
        assertThat(denied.get(0).path("record").path("eventId").asText()).isEqualTo("acme-denied");
        JsonNode page = get("/v1/audit/events?action=auth.&limit=4", acmeKey);
        assertThat(page.path("events")).hasSize(4);
        JsonNode rest = get("/v1/audit/events?action=auth.&limit=10&cursor=" + page.path("nextCursor").asText(), acmeKey);
        assertThat(rest.path("events")).hasSize(6);
        assertThat(rest.path("nextCursor").isNull()).isTrue();
        assertThat(get("/v1/audit/events/acme-3", acmeKey).path("record").path("actorId").asText()).isEqualTo("bob");

        JsonNode verify = get("/v1/audit/verify", acmeKey);
        assertThat(verify.path("verified").asBoolean()).as(verify.toString()).isTrue();
        assertThat(verify.path("recordsChecked").asLong()).isEqualTo(11);

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                get("/v1/audit/checkpoints", acmeKey).findValuesAsText("sequence").contains("11"));
        String export = getText("/v1/audit/export", acmeKey);
        String publicKey = getText("/v1/audit/public-key.pem", acmeKey);
        assertThat(get("/v1/audit/public-key", acmeKey).path("publicKeyPem").asText()).isEqualTo(publicKey);
        ExportVerifier.Outcome offline = ExportVerifier.verify(new BufferedReader(new StringReader(export)),
                SigningKey.parsePublicPem(publicKey));
        assertThat(offline.chain().verified()).isTrue();
        assertThat(offline.chain().recordsChecked()).isEqualTo(11);
        assertThat(offline.signedThrough()).isEqualTo(11);
    }

    @Test
    void aTenantSeesOnlyItsOwnRecords() {
        send(login("acme", "acme-secret", "alice", NOW));
        send(login("globex", "globex-1", "alice", NOW));
        producer.flush();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                get("/v1/audit/events", globexKey).path("events").size() == 1
                        && get("/v1/audit/events", acmeKey).path("events").size() == 1);

        JsonNode globexView = get("/v1/audit/events?actor=alice", globexKey).path("events");
        assertThat(globexView).hasSize(1);
        assertThat(globexView.get(0).path("record").path("tenantId").asText()).isEqualTo("globex");
        assertThat(status("/v1/audit/events/acme-secret", globexKey)).isEqualTo(404);
        assertThat(getText("/v1/audit/export", globexKey)).doesNotContain("acme-secret");
        assertThat(get("/v1/audit/verify", globexKey).path("recordsChecked").asLong()).isEqualTo(1);
    }

    @Test
    void verifyNamesTheSequenceWhoseStoredBytesWereAltered() throws Exception {
        for (int i = 0; i < 8; i++) {
            send(login("acme", "acme-" + i, "user-" + i, NOW.plusMillis(i)));
        }
        producer.flush();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                get("/v1/audit/verify", acmeKey).path("recordsChecked").asLong() == 8);
        JsonNode victim = get("/v1/audit/events/acme-5", acmeKey);
        long sequence = victim.path("sequence").asLong();
        store.after();

        StoredBytes.rewrite(dir.resolve("store"), "acme", sequence, "\"actorId\":\"user-5\"", "\"actorId\":\"user-X\"");
        store = startStore();

        JsonNode verify = get("/v1/audit/verify", acmeKey);
        assertThat(verify.path("verified").asBoolean()).isFalse();
        assertThat(verify.path("firstBrokenSequence").asLong()).isEqualTo(sequence);
        assertThat(verify.path("reason").asText()).contains("sequence " + sequence);
    }

    @Test
    void answersBadRequestsWithTheReasonAndTheField() throws Exception {
        assertThat(status("/v1/audit/events", null)).isEqualTo(401);
        assertThat(status("/v1/audit/events", "ebk_not-a-key")).isEqualTo(401);
        assertThat(status("/v1/audit/events", ingestOnlyKey)).isEqualTo(403);
        HttpResponse<String> badOutcome = request("/v1/audit/events?outcome=maybe", acmeKey);
        assertThat(badOutcome.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(badOutcome.body());
        assertThat(body.path("error").asText()).isEqualTo("invalid_parameter");
        assertThat(body.path("details").get(0).path("field").asText()).isEqualTo("outcome");
        assertThat(request("/v1/audit/events?from=yesterday", acmeKey).statusCode()).isEqualTo(400);
        assertThat(request("/v1/audit/events?limit=0", acmeKey).statusCode()).isEqualTo(400);
        assertThat(request("/v1/audit/events?cursor=nonsense", acmeKey).statusCode()).isEqualTo(400);
    }

    @Test
    void anUndecodableRecordGoesToTheDeadLetterTopicAndIngestGoesOn() {
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers",
                registry.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topic, 0, "acme:x".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8)));
        }
        send(login("acme", "after-garbage", "alice", NOW));
        producer.flush();

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                status("/v1/audit/events/after-garbage", acmeKey) == 200);
        AvroSerde<RejectedEvent> serde = AvroSerde.specific(RejectedEvent.class);
        serde.configure(Map.of("schema.registry.url", registry.url()), false);
        try (KafkaConsumer<String, RejectedEvent> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                registry.bootstrapServers(), "auto.offset.reset", "earliest", "group.id", "dlq-reader-" + UUID.randomUUID()),
                new StringDeserializer(), serde.deserializer())) {
            consumer.subscribe(List.of(deadLetterTopic));
            List<ConsumerRecord<String, RejectedEvent>> seen = new java.util.ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return !seen.isEmpty();
            });
            RejectedEvent rejected = seen.get(0).value();
            assertThat(rejected.getReasonCode()).isEqualTo(RejectionReason.UNDECODABLE);
            assertThat(rejected.getSourceTopic()).isEqualTo(topic);
            assertThat(StandardCharsets.UTF_8.decode(rejected.getOriginalValue()).toString()).isEqualTo("not avro");
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + store.getLocalPort() + path;
    }

    private HttpResponse<String> request(String path, String apiKey) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url(path))).GET();
        if (apiKey != null) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        try {
            return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int status(String path, String apiKey) {
        return request(path, apiKey).statusCode();
    }

    private String getText(String path, String apiKey) {
        HttpResponse<String> response = request(path, apiKey);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private JsonNode get(String path, String apiKey) {
        try {
            return JSON.readTree(getText(path, apiKey));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
