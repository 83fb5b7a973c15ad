package dev.eventbackbone.processors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.events.AuditActor;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditResource;
import dev.eventbackbone.contracts.events.AuditSeverity;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.contracts.serde.AvroSerializer;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.embeddedkafka.KafkaRecords;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The service on the real broker and registry, exactly-once, read back as read_committed consumers see it. */
@ExtendWith(EmbeddedKafkaExtension.class)
class AuditNormalizationIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** How long a read goes on after the expected records, to catch a duplicate committed late. */
    private static final Duration SETTLE = Duration.ofMillis(500);

    @TempDir
    Path stateDir;

    private TestServer<StreamProcessorsConfiguration> app;
    private final String tenant = "it-" + UUID.randomUUID();

    @BeforeEach
    void start() throws Exception {
        TopicProvisioner.provisionCatalog(registry.bootstrapServers());
        StreamProcessorsConfiguration configuration = new StreamProcessorsConfiguration().embeddedOnLoopback(0, 0);
        configuration.getKafka().setBootstrapServers(registry.bootstrapServers());
        configuration.getRegistry().setUrl(registry.url());
        configuration.setStateDir(stateDir);
        configuration.setApplicationId("audit-normalizer-" + UUID.randomUUID());
        configuration.getOrders().setEnabled(false);
        configuration.getNotifications().setEnabled(false);
        app = TestServer.start(StreamProcessorsApplication.class, configuration);
        Awaitility.await().atMost(TIMEOUT).until(() -> app.admin("/healthcheck").statusCode() == 200);
    }

    @AfterEach
    void stop() {
        app.close();
    }

    @Test
    void normalizesDeduplicatesAlertsAndDeadLettersExactlyOnce() throws Exception {
        AuditRawEvent login = event("user.login", "success");
        List<AuditRawEvent> failures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            failures.add(event("LoginFailed", null));
        }
        byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);

        AvroSerializer<Object> serializer = registry.avro().serializer();
        // One key, so one partition: every record is processed in the order sent.
        byte[] key = (tenant + ":u-1").getBytes(StandardCharsets.UTF_8);
        List<ProducerRecord<byte[], byte[]>> raw = new ArrayList<>();
        for (AuditRawEvent event : List.of(login, login, event("role_granted", "success"))) {
            raw.add(new ProducerRecord<>(TopicCatalog.AUDIT_RAW, key, serializer.serialize(TopicCatalog.AUDIT_RAW, event)));
        }
        raw.add(new ProducerRecord<>(TopicCatalog.AUDIT_RAW, null, key, garbage,
                List.of(new RecordHeader("tenant", tenant.getBytes(StandardCharsets.UTF_8)))));
        for (AuditRawEvent failure : failures) {
            raw.add(new ProducerRecord<>(TopicCatalog.AUDIT_RAW, key,
                    serializer.serialize(TopicCatalog.AUDIT_RAW, failure)));
        }
        KafkaRecords.produce(registry.bootstrapServers(), new ByteArraySerializer(), new ByteArraySerializer(), raw);

        List<ConsumerRecord<String, Object>> events = read(TopicCatalog.AUDIT_EVENTS,
                record -> ((AuditRecord) record.value()).getTenantId().equals(tenant), 7);
        assertThat(events).extracting(record -> ((AuditRecord) record.value()).getAction())
                .as("the retried login once, then the grant and the five failures")
                .containsExactly("auth.login", "role.grant", "auth.login", "auth.login", "auth.login", "auth.login",
                        "auth.login");
        assertThat(events).extracting(ConsumerRecord::key).containsOnly(tenant);

        List<ConsumerRecord<String, Object>> alerts = read(TopicCatalog.AUDIT_ALERTS,
                record -> ((AuditRecord) record.value()).getTenantId().equals(tenant), 2);
        assertThat(alerts).extracting(record -> ((AuditRecord) record.value()).getAction())
                .containsExactly("role.grant", "security.failed_login_burst");
        assertThat(((AuditRecord) alerts.get(1).value()).getSeverity()).isEqualTo(AuditSeverity.HIGH);

        List<ConsumerRecord<String, RejectedEvent>> rejected = registry.avro().deadLetters(TopicCatalog.AUDIT_DLQ)
                .matching(record -> tenant.equals(record.value().getTenantId())).timeout(TIMEOUT)
                .awaitExactly(1, SETTLE);
        RejectedEvent rejection = rejected.get(0).value();
        assertThat(rejection.getReasonCode()).isEqualTo(RejectionReason.UNDECODABLE);
        byte[] original = new byte[rejection.getOriginalValue().remaining()];
        rejection.getOriginalValue().duplicate().get(original);
        assertThat(original).isEqualTo(garbage);
        assertThat(rejected.get(0).key()).isEqualTo(tenant + ":u-1");

        JsonNode metrics = Http.json(app.admin("/metrics"));
        assertThat(metrics.at("/gauges/audit-normalizer.duplicates-dropped-total/value").asDouble()).isEqualTo(1.0);
    }

    private AuditRawEvent event(String action, String outcome) {
        return AuditRawEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setTenantId(tenant)
                .setSource("billing-api")
                .setReceivedAt(Instant.now())
                .setAction(action)
                .setActor(AuditActor.newBuilder().setId("u-1").setType("user").build())
                .setResource(AuditResource.newBuilder().setType("session").setId("s-1").build())
                .setOutcome(outcome)
                .build();
    }

    /** The records of the topic that {@code wanted} keeps, read committed, once {@code expected} are there and no more. */
    private List<ConsumerRecord<String, Object>> read(String topic, Predicate<ConsumerRecord<String, Object>> wanted,
                                                      int expected) {
        return registry.avro().read(topic).matching(wanted).timeout(TIMEOUT).awaitExactly(expected, SETTLE);
    }
}
