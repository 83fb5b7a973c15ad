package dev.eventbackbone.processors.audit;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.AuditActor;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditResource;
import dev.eventbackbone.contracts.events.RejectedEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
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
    private final AuditSerdes serdes;

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

    /** Sends the event and returns the one record it produced on audit.events. */
    AuditRecord normalize(AuditRawEvent event) {
        send(event);
        return events.readValue();
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        driver.close();
    }
}
