package dev.eventbackbone.audit;

import static dev.eventbackbone.audit.AuditRecords.login;
import static dev.eventbackbone.audit.AuditRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.audit.evidence.ExportVerifier;
import dev.eventbackbone.audit.evidence.KeyHistory;
import dev.eventbackbone.audit.evidence.ProofCheck;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.evidence.SigningKey;
import dev.eventbackbone.audit.store.AuditLog;
import dev.eventbackbone.audit.store.StoredBytes;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.events.AuditErasureRequest;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditTreeHead;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.embeddedkafka.FreePorts;
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
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
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
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    private String topic;
    private String deadLetterTopic;
    private String headsTopic;
    private String group;
    private String acmeKey;
    private String globexKey;
    private String ingestOnlyKey;
    private String eraseKey;
    private String erasuresTopic;
    private TestServer<AuditStoreConfiguration> store;
    private KafkaProducer<String, AuditRecord> producer;

    @BeforeEach
    void setUp() {
        topic = KafkaTopics.createUnique(registry.bootstrapServers(), "audit.events", PARTITIONS);
        deadLetterTopic = KafkaTopics.createUnique(registry.bootstrapServers(), "audit.dlq", 1);
        headsTopic = KafkaTopics.createUnique(registry.bootstrapServers(), "audit.heads", 1);
        erasuresTopic = KafkaTopics.createUnique(registry.bootstrapServers(), "audit.erasures", PARTITIONS);
        group = "audit-store-" + UUID.randomUUID();
        Path keys = dir.resolve("keys.yml");
        acmeKey = ApiKeyStore.create(keys, "acme", List.of("read:audit"), null).secret();
        globexKey = ApiKeyStore.create(keys, "globex", List.of("read:audit"), null).secret();
        ingestOnlyKey = ApiKeyStore.create(keys, "acme", List.of("ingest:*"), null).secret();
        eraseKey = ApiKeyStore.create(keys, "acme", List.of("erase:audit"), null).secret();
        SigningKey.generate(dir.resolve("signing-key.pem"));
        producer = registry.avro().producer();
        store = startStore(configuration());
    }

    @AfterEach
    void tearDown() {
        store.close();
        producer.close();
    }

    private AuditStoreConfiguration configuration() {
        AuditStoreConfiguration configuration = new AuditStoreConfiguration().embeddedOnLoopback(0, 0);
        configuration.getKafka().setBootstrapServers(registry.bootstrapServers());
        configuration.getKafka().setTopic(topic);
        configuration.getKafka().setDeadLetterTopic(deadLetterTopic);
        configuration.getKafka().setHeadsTopic(headsTopic);
        configuration.getKafka().setErasuresTopic(erasuresTopic);
        configuration.getKafka().setGroupId(group);
        configuration.getRegistry().setUrl(registry.url());
        configuration.setDataDirectory(dir.resolve("store"));
        configuration.setSigningKeyFile(dir.resolve("signing-key.pem"));
        configuration.setKeysFile(dir.resolve("keys.yml"));
        configuration.setHeadEvery(4);
        configuration.setHeadInterval(io.dropwizard.util.Duration.milliseconds(200));
        return configuration;
    }

    /** Starts a store and waits until it has joined its group and answers for acme (before that: 503). */
    private TestServer<AuditStoreConfiguration> startStore(AuditStoreConfiguration configuration) {
        TestServer<AuditStoreConfiguration> started = TestServer.start(AuditStoreApplication.class, configuration);
        Awaitility.await("the store answering").atMost(TIMEOUT)
                .until(() -> started.get("/v1/audit/events?limit=1", acmeKey).statusCode() != 503);
        return started;
    }

    /** Keyed by tenant, as the normalizer writes audit.events. */
    private void send(AuditRecord record) {
        producer.send(new ProducerRecord<>(topic, record.getTenantId(), record));
    }

    private static int partitionOf(String tenant) {
        return Utils.toPositive(Utils.murmur2(tenant.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    @Test
    void recordsAreSearchableAndTheLogVerifiesOnlineOfflineAndByProof() throws Exception {
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
        assertThat(denied.get(0).path("index").asLong()).isEqualTo(10);
        JsonNode page = get("/v1/audit/events?action=auth.&limit=4", acmeKey);
        assertThat(page.path("events")).hasSize(4);
        JsonNode rest = get("/v1/audit/events?action=auth.&limit=10&cursor=" + page.path("nextCursor").asText(), acmeKey);
        assertThat(rest.path("events")).hasSize(6);
        assertThat(rest.path("nextCursor").isNull()).isTrue();
        assertThat(get("/v1/audit/events/acme-3", acmeKey).path("record").path("actorId").asText()).isEqualTo("bob");

        Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                get("/v1/audit/heads/latest", acmeKey).path("treeSize").asLong() == 11);
        JsonNode verify = get("/v1/audit/verify", acmeKey);
        assertThat(verify.path("verified").asBoolean()).as(verify.toString()).isTrue();
        assertThat(verify.path("leavesChecked").asLong()).isEqualTo(11);

        PublicKey publicKey = SigningKey.parsePublicPem(Http.getText(store.url() + "/v1/audit/public-key.pem", null));
        ExportVerifier.Outcome offline = ExportVerifier.verify(new BufferedReader(new StringReader(
                getText("/v1/audit/export", acmeKey))), publicKey, null);
        assertThat(offline.verified()).as(offline.reason()).isTrue();
        assertThat(offline.treeSize()).isEqualTo(11);

        JsonNode inclusion = get("/v1/audit/proofs/inclusion?eventId=acme-3", acmeKey);
        assertThat(inclusion.path("leafIndex").asLong()).isEqualTo(3);
        assertThat(ProofCheck.check(inclusion, publicKey, null).verified()).isTrue();
        SignedTreeHead older = SignedTreeHead.fromJson(get("/v1/audit/heads/latest", acmeKey));
        send(login("acme", "acme-later", "carol", NOW));
        producer.flush();
        Awaitility.await().atMost(TIMEOUT).until(() ->
                get("/v1/audit/heads/latest", acmeKey).path("treeSize").asLong() == 12);
        JsonNode consistency = get("/v1/audit/proofs/consistency?from=11", acmeKey);
        ProofCheck.Result extended = ProofCheck.check(consistency, publicKey, older);
        assertThat(extended.verified()).as(extended.problem()).isTrue();
    }

    @Test
    void everyInstanceBuildsTheSameTreesFromKafkaAndPublishesSignedHeads() {
        for (int i = 0; i < 30; i++) {
            send(login(i % 2 == 0 ? "acme" : "globex", "e-" + i, "user-" + (i % 4), NOW.plusMillis(i)));
        }
        producer.flush();
        Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                get("/v1/audit/heads/latest", acmeKey).path("treeSize").asLong() == 15
                        && get("/v1/audit/heads/latest", globexKey).path("treeSize").asLong() == 15);

        AuditStoreConfiguration rebuilt = configuration();
        rebuilt.setDataDirectory(dir.resolve("rebuilt"));
        rebuilt.setSigningKeyFile(dir.resolve("rebuilt-key.pem"));
        rebuilt.setDevMode(true);
        // Another group: a replica of its own, not a partner sharing the partitions.
        rebuilt.getKafka().setGroupId("audit-store-rebuilt-" + UUID.randomUUID());
        try (TestServer<AuditStoreConfiguration> second = startStore(rebuilt)) {
            for (String key : List.of(acmeKey, globexKey)) {
                Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                        second.getJson("/v1/audit/heads/latest", key).path("treeSize").asLong() == 15);
                assertThat(second.getJson("/v1/audit/heads/latest", key).path("rootHash").asText())
                        .isEqualTo(get("/v1/audit/heads/latest", key).path("rootHash").asText());
                assertThat(second.getJson("/v1/audit/heads/latest", key).path("keyId").asText())
                        .isNotEqualTo(get("/v1/audit/heads/latest", key).path("keyId").asText());
            }
        }
        List<AuditTreeHead> published = registry.avro().read(headsTopic)
                .matching(record -> record.value() instanceof AuditTreeHead head && head.getTenantId().equals("acme")
                        && head.getTreeSize() == 15)
                .awaitAtLeast(2).stream().map(record -> (AuditTreeHead) record.value()).toList();
        assertThat(published).extracting(AuditTreeHead::getRootHash).containsOnly(
                get("/v1/audit/heads/latest", acmeKey).path("rootHash").asText());
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
        assertThat(status("/v1/audit/proofs/inclusion?eventId=acme-secret", globexKey)).isEqualTo(404);
        assertThat(getText("/v1/audit/export", globexKey)).doesNotContain("acme-secret");
        assertThat(get("/v1/audit/verify", globexKey).path("leavesChecked").asLong()).isEqualTo(1);
    }

    @Test
    void verifyNamesTheLeafWhoseStoredBytesWereAltered() {
        for (int i = 0; i < 8; i++) {
            send(login("acme", "acme-" + i, "user-" + i, NOW.plusMillis(i)));
        }
        producer.flush();
        Awaitility.await().atMost(TIMEOUT).until(() ->
                get("/v1/audit/verify", acmeKey).path("leavesChecked").asLong() == 8);
        long index = get("/v1/audit/events/acme-5", acmeKey).path("index").asLong();
        store.close();

        StoredBytes.rewrite(dir.resolve("store"), "acme", index, "\"actorId\":\"user-5\"", "\"actorId\":\"user-X\"");
        store = startStore(configuration());

        JsonNode verify = get("/v1/audit/verify", acmeKey);
        assertThat(verify.path("verified").asBoolean()).isFalse();
        assertThat(verify.path("firstBadIndex").asLong()).isEqualTo(index);
        assertThat(verify.path("reason").asText()).contains("leaf " + index);
    }

    @Test
    void answersBadRequestsWithTheReasonAndTheFieldAndServesItsKeysToAnyone() {
        assertThat(status("/v1/audit/events", null)).isEqualTo(401);
        assertThat(status("/v1/audit/events", "ebk_not-a-key")).isEqualTo(401);
        assertThat(status("/v1/audit/events", ingestOnlyKey)).isEqualTo(403);
        HttpResponse<String> badOutcome = store.get("/v1/audit/events?outcome=maybe", acmeKey);
        assertThat(badOutcome.statusCode()).isEqualTo(400);
        JsonNode body = Http.json(badOutcome);
        assertThat(body.path("error").asText()).isEqualTo("invalid_parameter");
        assertThat(body.path("details").get(0).path("field").asText()).isEqualTo("outcome");
        assertThat(status("/v1/audit/events?from=yesterday", acmeKey)).isEqualTo(400);
        assertThat(status("/v1/audit/events?limit=0", acmeKey)).isEqualTo(400);
        assertThat(status("/v1/audit/events?cursor=nonsense", acmeKey)).isEqualTo(400);
        assertThat(status("/v1/audit/proofs/inclusion", acmeKey)).isEqualTo(400);
        assertThat(status("/v1/audit/proofs/consistency", acmeKey)).isEqualTo(400);

        JsonNode keys = Http.getJson(store.url() + "/v1/audit/keys", null);
        assertThat(keys.path("currentKeyId").asText())
                .isEqualTo(SigningKey.load(dir.resolve("signing-key.pem")).keyId());
        assertThat(keys.path("keys").get(0).path("publicKeyPem").asText()).startsWith("-----BEGIN PUBLIC KEY-----");
    }

    @Test
    void anErasureRequestGoesToEveryPartitionForTheCallersTenantAndABadOneChangesNothing() {
        assertThat(store.post("/v1/audit/erasures", acmeKey, "{\"subject\":\"alice\"}").statusCode())
                .as("read:audit does not allow erasing").isEqualTo(403);
        HttpResponse<String> noSubject = store.post("/v1/audit/erasures", eraseKey, "{\"reason\":\"r\"}");
        assertThat(noSubject.statusCode()).isEqualTo(400);
        assertThat(Http.json(noSubject).path("details").get(0).path("field").asText()).isEqualTo("subject");
        HttpResponse<String> notText = store.post("/v1/audit/erasures", eraseKey, "{\"subject\":42}");
        assertThat(notText.statusCode()).isEqualTo(400);
        assertThat(Http.json(notText).path("details").get(0).path("field").asText()).isEqualTo("subject");

        HttpResponse<String> accepted = store.post("/v1/audit/erasures", eraseKey,
                "{\"subject\":\"alice\",\"reason\":\"ticket 7\"}");

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String requestId = Http.json(accepted).path("requestId").asText();
        List<ConsumerRecord<String, Object>> requests = registry.avro().read(erasuresTopic).awaitExactly(PARTITIONS,
                Duration.ofMillis(500));
        assertThat(requests).extracting(ConsumerRecord::partition).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(requests).allSatisfy(request -> {
            AuditErasureRequest value = (AuditErasureRequest) request.value();
            assertThat(value.getRequestId()).isEqualTo(requestId);
            assertThat(value.getTenantId()).as("the tenant of the key, never of the body").isEqualTo("acme");
            assertThat(value.getSubject()).isEqualTo("alice");
            assertThat(value.getReason()).isEqualTo("ticket 7");
        });
    }

    @Test
    void anUndecodableRecordIsDeadLetteredAndLeavesATraceInItsTenantsLog() {
        KafkaRecords.produce(registry.bootstrapServers(), new ByteArraySerializer(), new ByteArraySerializer(),
                List.of(new ProducerRecord<>(topic, partitionOf("acme"), "acme".getBytes(StandardCharsets.UTF_8),
                        "not avro".getBytes(StandardCharsets.UTF_8))));
        send(login("acme", "after-garbage", "alice", NOW));
        producer.flush();

        Awaitility.await().atMost(TIMEOUT).until(() -> status("/v1/audit/events/after-garbage", acmeKey) == 200);
        RejectedEvent rejected = registry.avro().deadLetters(deadLetterTopic).awaitAtLeast(1).get(0).value();
        assertThat(rejected.getReasonCode()).isEqualTo(RejectionReason.UNDECODABLE);
        assertThat(rejected.getSourceTopic()).isEqualTo(topic);
        assertThat(StandardCharsets.UTF_8.decode(rejected.getOriginalValue()).toString()).isEqualTo("not avro");
        JsonNode trace = get("/v1/audit/events", acmeKey).path("events").get(1);
        assertThat(trace.path("index").asLong()).isZero();
        assertThat(trace.path("rejection").path("reasonCode").asText()).isEqualTo("UNDECODABLE");
        assertThat(trace.path("rejection").path("offset").asLong()).isEqualTo(rejected.getSourceOffset());
    }

    @Test
    void aRecordOnAnotherPartitionThanItsTenantsIsDeadLetteredNotStored() {
        int elsewhere = (partitionOf("acme") + 1) % PARTITIONS;
        producer.send(new ProducerRecord<>(topic, elsewhere, "acme", login("acme", "misplaced", "alice", NOW)));
        send(login("acme", "in-place", "alice", NOW));
        producer.flush();

        Awaitility.await().atMost(TIMEOUT).until(() -> status("/v1/audit/events/in-place", acmeKey) == 200);
        RejectedEvent rejected = registry.avro().deadLetters(deadLetterTopic).awaitAtLeast(1).get(0).value();
        assertThat(rejected.getReasonCode()).isEqualTo(RejectionReason.INVALID_VALUE);
        assertThat(rejected.getReason()).contains("partition " + elsewhere, "key them by tenant id");
        assertThat(status("/v1/audit/events/misplaced", acmeKey)).isEqualTo(404);
    }

    @Test
    void refusesToStartWithoutASigningKeyUnlessInDevMode() {
        AuditStoreConfiguration withoutKey = configuration();
        withoutKey.setDataDirectory(dir.resolve("other"));
        withoutKey.getKafka().setGroupId("audit-store-keyless-" + UUID.randomUUID());
        withoutKey.setSigningKeyFile(dir.resolve("missing-key.pem"));

        assertThatThrownBy(() -> startStore(withoutKey).close())
                .hasStackTraceContaining("No audit signing key at")
                .hasStackTraceContaining("backbone audit keygen");
        assertThat(dir.resolve("missing-key.pem")).doesNotExist();
    }

    @Test
    void retentionThatFindsATamperedLeafRefusesAndTurnsTheHealthCheckRed() {
        Instant longAgo = NOW.minus(Duration.ofDays(10));
        for (int i = 0; i < 4; i++) {
            send(login("acme", "old-" + i, "user-" + i, longAgo));
        }
        producer.flush();
        Awaitility.await().atMost(TIMEOUT).until(() -> status("/v1/audit/events/old-3", acmeKey) == 200);
        store.close();
        StoredBytes.rewrite(dir.resolve("store"), "acme", 1, "\"actorId\":\"user-1\"", "\"actorId\":\"user-X\"");

        AuditStoreConfiguration withRetention = configuration();
        withRetention.getRetention().setDefaultDays(1);
        withRetention.getRetention().setCheckInterval(io.dropwizard.util.Duration.milliseconds(200));
        store = startStore(withRetention);

        Awaitility.await().atMost(TIMEOUT).until(() -> store.admin("/healthcheck").statusCode() == 500);
        assertThat(store.admin("/healthcheck").body()).contains("Retention refused", "leaf 1");
        assertThat(Http.getJson(store.adminUrl() + "/metrics", null)
                .at("/gauges/audit-store.retention-refused/value").asInt()).isEqualTo(1);
        assertThat(status("/v1/audit/events/old-0", acmeKey)).as("nothing deleted around the change").isEqualTo(200);
    }

    @Test
    void anIngesterThatCannotStoreWhatItReadsFailsTheHealthCheckInsteadOfLookingAlive() {
        AuditStoreConfiguration unreachableRegistry = configuration();
        unreachableRegistry.setDataDirectory(dir.resolve("stalled"));
        unreachableRegistry.getKafka().setGroupId("audit-store-stalled-" + UUID.randomUUID());
        unreachableRegistry.getRegistry().setUrl("http://127.0.0.1:" + FreePorts.next());
        unreachableRegistry.setStallTimeout(io.dropwizard.util.Duration.seconds(1));
        send(login("acme", "waits-for-the-registry", "alice", NOW));
        producer.flush();

        try (TestServer<AuditStoreConfiguration> stalled = TestServer.start(AuditStoreApplication.class,
                unreachableRegistry)) {
            Awaitility.await().atMost(TIMEOUT).until(() -> stalled.admin("/healthcheck").statusCode() == 500);
            assertThat(stalled.admin("/healthcheck").body()).contains("has not polled Kafka");
        }
    }

    @Test
    void aPositionKafkaNoLongerHoldsStopsTheIngesterInsteadOfSkippingAhead() throws Exception {
        for (int i = 0; i < 3; i++) {
            send(login("acme", "kept-" + i, "alice", NOW));
        }
        producer.flush();
        Awaitility.await().atMost(TIMEOUT).until(() -> status("/v1/audit/events/kept-2", acmeKey) == 200);
        store.close();
        for (int i = 0; i < 3; i++) {
            send(login("acme", "deleted-unread-" + i, "alice", NOW));
        }
        send(login("acme", "after-the-gap", "alice", NOW));
        producer.flush();
        TopicPartition partition = new TopicPartition(topic, partitionOf("acme"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", registry.bootstrapServers()))) {
            admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(6))).all().get(30, TimeUnit.SECONDS);
        }

        store = TestServer.start(AuditStoreApplication.class, configuration());

        Awaitility.await().atMost(TIMEOUT).until(() -> store.admin("/healthcheck").statusCode() == 500);
        assertThat(store.admin("/healthcheck").body()).contains("The ingester stopped");
        assertThat(status("/v1/audit/events/kept-0", acmeKey)).as("not caught up: it does not answer").isEqualTo(503);
        store.close();
        try (AuditLog log = AuditLog.open(dir.resolve("store"), SigningKey.load(dir.resolve("signing-key.pem")),
                KeyHistory.none(), Clock.systemUTC(), false, head -> {
                })) {
            assertThat(log.appender().treeSize("acme")).as("nothing read past the gap").isEqualTo(3);
            assertThat(log.searcher().byEventId("acme", "after-the-gap")).isEmpty();
        }
        store = TestServer.start(AuditStoreApplication.class, configuration());
    }

    private int status(String path, String apiKey) {
        return store.get(path, apiKey).statusCode();
    }

    private String getText(String path, String apiKey) {
        return Http.getText(store.url() + path, apiKey);
    }

    private JsonNode get(String path, String apiKey) {
        return store.getJson(path, apiKey);
    }
}
