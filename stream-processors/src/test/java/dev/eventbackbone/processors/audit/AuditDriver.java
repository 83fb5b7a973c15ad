package dev.eventbackbone.processors.audit;

import dev.eventbackbone.contracts.audit.PersonalSeal.PersonalFields;
import dev.eventbackbone.contracts.audit.PersonalSeal;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.AuditActor;
import dev.eventbackbone.contracts.events.AuditErasureRequest;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditResource;
import dev.eventbackbone.contracts.events.AuditSealedFields;
import dev.eventbackbone.contracts.events.AuditSubjectKey;
import dev.eventbackbone.contracts.events.RejectedEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The audit topology in a TopologyTestDriver with the real Avro serdes (on a real registry), raw
 * values going in as the bytes the gateway would have produced.
 */
final class AuditDriver implements AutoCloseable {

    static final Instant RECEIVED = Instant.parse("2024-05-01T12:00:00Z");

    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> raw;
    final TestOutputTopic<String, AuditRecord> events;
    final TestOutputTopic<String, AuditRecord> alerts;
    final TestOutputTopic<byte[], RejectedEvent> dlq;
    final TestOutputTopic<String, AuditSubjectKey> subjectKeys;
    final TestInputTopic<byte[], byte[]> erasures;
    private final AuditSerdes serdes;
    /** Every key published so far, by id; an erased key stays, for tests that open what was sealed before. */
    private final Map<String, byte[]> keysSeen = new HashMap<>();

    AuditDriver(AuditSettings settings, AuditSerdes serdes, Path stateDir) {
        this.serdes = serdes;
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "audit-normalizer-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(AuditNormalizationTopology.build(settings, serdes), config);
        raw = driver.createInputTopic(TopicCatalog.AUDIT_RAW, new ByteArraySerializer(), new ByteArraySerializer());
        events = driver.createOutputTopic(TopicCatalog.AUDIT_EVENTS, new StringDeserializer(),
                serdes.records().deserializer());
        alerts = driver.createOutputTopic(TopicCatalog.AUDIT_ALERTS, new StringDeserializer(),
                serdes.records().deserializer());
        dlq = driver.createOutputTopic(TopicCatalog.AUDIT_DLQ, new ByteArrayDeserializer(),
                serdes.rejections().deserializer());
        subjectKeys = driver.createOutputTopic(TopicCatalog.AUDIT_SUBJECT_KEYS, new StringDeserializer(),
                serdes.subjectKeys().deserializer());
        erasures = driver.createInputTopic(TopicCatalog.AUDIT_ERASURES, new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /** A valid login event of acme's user u-1, received at {@link #RECEIVED}, to adjust per test. */
    static AuditRawEvent.Builder event() {
        return AuditRawEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setTenantId("acme")
                .setSource("billing-api")
                .setReceivedAt(RECEIVED)
                .setAction("user.login")
                .setActor(AuditActor.newBuilder().setId("u-1").setType("user").build())
                .setResource(AuditResource.newBuilder().setType("session").setId("s-1").build())
                .setOutcome("success")
                .setMetadata(Map.of());
    }

    /** Pipes the event as the gateway would: Avro bytes keyed tenant:actorId, with its headers, at {@code time}. */
    void send(AuditRawEvent event, Instant time) {
        String actorId = event.getActor() instanceof AuditActor actor ? actor.getId() : (String) event.getActor();
        RecordHeaders headers = new RecordHeaders();
        headers.add("event-id", bytes(event.getEventId()));
        headers.add("tenant", bytes(event.getTenantId()));
        headers.add("source", bytes(event.getSource()));
        headers.add("traceparent", bytes("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        headers.add("authorization", bytes("Bearer secret"));
        raw.pipeInput(new TestRecord<>(bytes(event.getTenantId() + ":" + actorId),
                serdes.raw().serializer().serialize(TopicCatalog.AUDIT_RAW, event), headers, time));
    }

    void send(AuditRawEvent event) {
        send(event, RECEIVED);
    }

    /** Sends the event and returns the one record it produced on audit.events, its sealed fields opened. */
    AuditRecord normalize(AuditRawEvent event) {
        return opened(logged(event));
    }

    /** Sends the event and returns the one record it produced on audit.events, as it is there: sealed. */
    AuditRecord logged(AuditRawEvent event) {
        send(event);
        return events.readValue();
    }

    /** The record with its sealed fields opened by the key the topology published for them. */
    AuditRecord opened(AuditRecord logged) {
        AuditSealedFields sealed = logged.getSealed();
        if (sealed == null) {
            return logged;
        }
        subjectKeys.readKeyValuesToList().stream().filter(published -> published.value != null)
                .forEach(published -> keysSeen.put(published.key, bytes(published.value.getKey())));
        byte[] key = keysSeen.get(sealed.getKeyId());
        if (key == null) {
            throw new AssertionError("No key " + sealed.getKeyId() + " was published on audit.subject-keys");
        }
        PersonalFields fields = PersonalSeal.open(key, logged.getTenantId(), logged.getEventId(), sealed.getKeyId(),
                bytes(sealed.getNonce()), bytes(sealed.getCiphertext()));
        return AuditRecord.newBuilder(logged).setSealed(null).setActorName(fields.actorName())
                .setActorEmailHash(fields.actorEmailHash()).setIp(fields.ip()).setUserAgent(fields.userAgent()).build();
    }

    /** Asks for the subject's erasure as the audit store's API does: on this task's partition. */
    void erase(String tenant, String subject, String requestId) {
        AuditErasureRequest request = AuditErasureRequest.newBuilder().setRequestId(requestId).setTenantId(tenant)
                .setSubject(subject).setRequestedBy("key-dpo").setRequestedAt(RECEIVED).setReason("ticket 42").build();
        erasures.pipeInput(bytes(tenant + ":" + subject),
                serdes.erasures().serializer().serialize(TopicCatalog.AUDIT_ERASURES, request));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        driver.close();
    }
}
