package dev.eventbackbone.audit;

import static dev.eventbackbone.audit.AuditRecords.login;
import static dev.eventbackbone.audit.AuditRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.audit.chain.ExportVerifier;
import dev.eventbackbone.audit.chain.SigningKey;
import dev.eventbackbone.audit.store.StoredBytes;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.embeddedkafka.KafkaRecords;
import dev.eventbackbone.embeddedkafka.KafkaTopics;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.TestServer;
import java.io.BufferedReader;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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

    private static final Instant NOW = Instant.now();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private String topic;
    private String deadLetterTopic;
    private String acmeKey;
    private String globexKey;
    private String ingestOnlyKey;
    private TestServer<AuditStoreConfiguration> store;
    private KafkaProducer<String, AuditRecord> producer;

    @BeforeEach
    void setUp() {
        topic = KafkaTopics.createUnique(registry.bootstrapServers(), "audit.events", 3);
        deadLetterTopic = KafkaTopics.createUnique(registry.bootstrapServers(), "audit.dlq", 1);
        Path keys = dir.resolve("keys.yml");
        acmeKey = ApiKeyStore.create(keys, "acme", List.of("read:audit"), null).secret();
        globexKey = ApiKeyStore.create(keys, "globex", List.of("read:audit"), null).secret();
        ingestOnlyKey = ApiKeyStore.create(keys, "acme", List.of("ingest:*"), null).secret();
        producer = registry.avro().producer();
        store = startStore();
    }

    @AfterEach
    void tearDown() {
        store.close();
        producer.close();
    }

    private TestServer<AuditStoreConfiguration> startStore() {
        AuditStoreConfiguration configuration = new AuditStoreConfiguration().embeddedOnLoopback(0, 0);
        configuration.getKafka().setBootstrapServers(registry.bootstrapServers());
        configuration.getKafka().setTopic(topic);
        configuration.getKafka().setDeadLetterTopic(deadLetterTopic);
        configuration.getRegistry().setUrl(registry.url());
        configuration.setDataDirectory(dir.resolve("store"));
        configuration.setKeysFile(dir.resolve("keys.yml"));
        configuration.setCheckpointEvery(4);
        configuration.setCheckpointInterval(io.dropwizard.util.Duration.milliseconds(200));
        return TestServer.start(AuditStoreApplication.class, configuration);
    }

    private void send(AuditRecord record) {
        producer.send(new ProducerRecord<>(topic, record.getTenantId() + ":" + record.getActorId(), record));
    }

    @Test
    void recordsAreSearchableAndTheChainVerifiesOnlineAndOffline() throws Exception {
        for (int i = 0; i < 10; i++) {
            send(login("acme", "acme-" + i, i % 2 == 0 ? "alice" : "bob", NOW.plusMillis(i)));
        }
        send(record("acme", "acme-denied", "alice", "authz.denied", AuditOutcome.DENIED, "doc-7", NOW));
        producer.flush();

        Awaitility.await().atMost(TIMEOUT).until(() ->
                get("/v1/audit/events?actor=alice", acmeKey).path("events").size() == 6);

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

        Awaitility.await().atMost(TIMEOUT).until(() ->
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
        Awaitility.await().atMost(TIMEOUT).until(() ->
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
        Awaitility.await().atMost(TIMEOUT).until(() ->
                get("/v1/audit/verify", acmeKey).path("recordsChecked").asLong() == 8);
        JsonNode victim = get("/v1/audit/events/acme-5", acmeKey);
        long sequence = victim.path("sequence").asLong();
        store.close();

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
        JsonNode body = Http.json(badOutcome);
        assertThat(body.path("error").asText()).isEqualTo("invalid_parameter");
        assertThat(body.path("details").get(0).path("field").asText()).isEqualTo("outcome");
        assertThat(request("/v1/audit/events?from=yesterday", acmeKey).statusCode()).isEqualTo(400);
        assertThat(request("/v1/audit/events?limit=0", acmeKey).statusCode()).isEqualTo(400);
        assertThat(request("/v1/audit/events?cursor=nonsense", acmeKey).statusCode()).isEqualTo(400);
    }

    @Test
    void anUndecodableRecordGoesToTheDeadLetterTopicAndIngestGoesOn() {
        KafkaRecords.produce(registry.bootstrapServers(), new ByteArraySerializer(), new ByteArraySerializer(),
                List.of(new ProducerRecord<>(topic, 0, "acme:x".getBytes(StandardCharsets.UTF_8),
                        "not avro".getBytes(StandardCharsets.UTF_8))));
        send(login("acme", "after-garbage", "alice", NOW));
        producer.flush();

        Awaitility.await().atMost(TIMEOUT).until(() ->
                status("/v1/audit/events/after-garbage", acmeKey) == 200);
        RejectedEvent rejected = registry.avro().deadLetters(deadLetterTopic).awaitAtLeast(1).get(0).value();
        assertThat(rejected.getReasonCode()).isEqualTo(RejectionReason.UNDECODABLE);
        assertThat(rejected.getSourceTopic()).isEqualTo(topic);
        assertThat(StandardCharsets.UTF_8.decode(rejected.getOriginalValue()).toString()).isEqualTo("not avro");
    }

    private HttpResponse<String> request(String path, String apiKey) {
        return store.get(path, apiKey);
    }

    private int status(String path, String apiKey) {
        return request(path, apiKey).statusCode();
    }

    private String getText(String path, String apiKey) {
        return Http.getText(store.url() + path, apiKey);
    }

    private JsonNode get(String path, String apiKey) {
        return store.getJson(path, apiKey);
    }
}
