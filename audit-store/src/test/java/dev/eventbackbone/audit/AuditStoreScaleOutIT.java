package dev.eventbackbone.audit;

import static dev.eventbackbone.audit.AuditRecords.login;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.eventbackbone.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two store instances share the partitions of audit.events as a consumer group: either answers for
 * every tenant, routing to the instance that holds it, a third rebuilt from audit.events on an empty
 * directory signs the same roots, and when one of the two stops the other takes its partitions over
 * and answers for them again, with nothing lost or re-ordered.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class AuditStoreScaleOutIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration TAKEOVER = Duration.ofSeconds(30);
    private static final int TENANTS = 8;

    @TempDir
    Path dir;

    private String topic;
    private String headsTopic;
    private String group;
    private final Map<String, String> keys = new LinkedHashMap<>();

    private TestServer<AuditStoreConfiguration> start(String name) {
        return start(name, group);
    }

    private TestServer<AuditStoreConfiguration> start(String name, String groupId) {
        int port = FreePorts.next();
        AuditStoreConfiguration configuration = new AuditStoreConfiguration().embeddedOnLoopback(port, FreePorts.next());
        configuration.getKafka().setBootstrapServers(registry.bootstrapServers());
        configuration.getKafka().setTopic(topic);
        configuration.getKafka().setHeadsTopic(headsTopic);
        configuration.getKafka().setGroupId(groupId);
        configuration.getRegistry().setUrl(registry.url());
        configuration.setDataDirectory(dir.resolve(name));
        configuration.setSigningKeyFile(dir.resolve("signing-key.pem"));
        configuration.setKeysFile(dir.resolve("keys.yml"));
        configuration.setHeadInterval(io.dropwizard.util.Duration.milliseconds(300));
        return TestServer.start(AuditStoreApplication.class, configuration);
    }

    private void produce(KafkaProducer<String, AuditRecord> producer, int from, int count) {
        for (String tenant : keys.keySet()) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, tenant, login(tenant, tenant + "-e" + i, "user-" + (i % 5),
                        Instant.now())));
            }
        }
        producer.flush();
    }

    private static long treeSize(TestServer<AuditStoreConfiguration> store, String apiKey) {
        return store.getJson("/v1/audit/heads/latest", apiKey).path("treeSize").asLong();
    }

    @Test
    void eitherInstanceAnswersForEveryTenantAndOneTakesOverWhenTheOtherStops() throws Exception {
        topic = KafkaTopics.createUnique(registry.bootstrapServers(), "audit.events", 6);
        headsTopic = KafkaTopics.createUnique(registry.bootstrapServers(), "audit.heads", 1);
        group = "audit-store-" + UUID.randomUUID();
        for (int t = 0; t < TENANTS; t++) {
            keys.put("tenant-" + t, ApiKeyStore.create(dir.resolve("keys.yml"), "tenant-" + t, List.of("read:audit"),
                    null).secret());
        }
        SigningKey.generate(dir.resolve("signing-key.pem"));
        TestServer<AuditStoreConfiguration> first = start("first");
        TestServer<AuditStoreConfiguration> second = start("second");
        try (KafkaProducer<String, AuditRecord> producer = registry.avro().producer()) {
            produce(producer, 0, 50);
            Map<String, SignedTreeHead> before = new HashMap<>();
            for (Map.Entry<String, String> tenant : keys.entrySet()) {
                for (TestServer<AuditStoreConfiguration> store : List.of(first, second)) {
                    Awaitility.await().atMost(TIMEOUT).ignoreExceptions()
                            .until(() -> treeSize(store, tenant.getValue()) == 50);
                }
                before.put(tenant.getKey(), SignedTreeHead.fromJson(
                        first.getJson("/v1/audit/heads/latest", tenant.getValue())));
                assertThat(second.getJson("/v1/audit/events/" + tenant.getKey() + "-e7", tenant.getValue())
                        .path("index").asLong()).isEqualTo(7);
                HttpResponse<String> export = second.get("/v1/audit/export", tenant.getValue());
                assertThat(export.statusCode()).isEqualTo(200);
                assertThat(export.body().lines().filter(line -> line.endsWith("\"type\":\"leaf\"}")).count())
                        .as("the export, streamed through whichever instance was asked").isEqualTo(50);
            }
            assertThat(Http.getJson(second.adminUrl() + "/metrics", null).at("/gauges/audit-store.tenants/value")
                    .asInt()).as("tenants the second instance holds itself; it answered for the others by routing")
                    .isLessThan(TENANTS);
            try (TestServer<AuditStoreConfiguration> rebuilt = start("rebuilt", "audit-store-rebuilt-" + UUID.randomUUID())) {
                for (Map.Entry<String, String> tenant : keys.entrySet()) {
                    Awaitility.await().atMost(TIMEOUT).ignoreExceptions()
                            .until(() -> treeSize(rebuilt, tenant.getValue()) == 50);
                    assertThat(rebuilt.getJson("/v1/audit/heads/latest", tenant.getValue()).path("rootHash").asText())
                            .as("%s rebuilt from audit.events on an empty directory", tenant.getKey())
                            .isEqualTo(before.get(tenant.getKey()).rootHash());
                }
            }

            first.close();
            Awaitility.await("every tenant answered by the remaining instance").atMost(TAKEOVER).ignoreExceptions()
                    .until(() -> keys.values().stream().allMatch(apiKey -> treeSize(second, apiKey) >= 50));

            produce(producer, 50, 10);
            PublicKey key = SigningKey.load(dir.resolve("signing-key.pem")).publicKey();
            for (Map.Entry<String, String> tenant : keys.entrySet()) {
                Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() -> treeSize(second, tenant.getValue()) == 60);
                SignedTreeHead older = before.get(tenant.getKey());
                JsonNode consistency = second.getJson("/v1/audit/proofs/consistency?from=50", tenant.getValue());
                ProofCheck.Result result = ProofCheck.check(consistency, key, older);
                assertThat(result.verified()).as("%s: %s", tenant.getKey(), result.problem()).isTrue();
                JsonNode verify = second.getJson("/v1/audit/verify", tenant.getValue());
                assertThat(verify.path("verified").asBoolean()).as(verify.toString()).isTrue();
                assertThat(verify.path("leavesChecked").asLong()).isEqualTo(60);
            }
        } finally {
            first.close();
            second.close();
        }
    }
}
