package dev.eventbackbone.ingest;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.service.ApiError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every event the gateway refused as malformed or invalid on {@code ingest.rejected}, with the
 * reason, the field at fault and the body exactly as received, so the sender's operators can see
 * and replay what their service got wrong. The caller has its answer already: recording does not
 * delay it, and a recording that fails is logged, never retried at the caller's expense.
 */
final class RejectedEvents {

    private static final Logger LOG = LoggerFactory.getLogger(RejectedEvents.class);

    private final Producer<byte[], byte[]> producer;
    private final Serializer<Object> serializer;

    RejectedEvents(Producer<byte[], byte[]> producer, Serializer<Object> serializer) {
        this.producer = producer;
        this.serializer = serializer;
    }

    void record(IngestStream stream, String tenant, String eventId, ApiError error, byte[] body) {
        RejectionReason reason = switch (error.status()) {
            case 400 -> RejectionReason.MALFORMED;
            case 422 -> RejectionReason.SCHEMA_VIOLATION;
            default -> null;
        };
        if (reason == null) {
            return;
        }
        String rejectionId = EventIds.newId();
        RejectedEvent rejection = RejectedEvent.newBuilder()
                .setRejectionId(rejectionId)
                .setEventId(eventId)
                .setTenantId(tenant)
                .setStream(stream.streamName())
                .setReasonCode(reason)
                .setReason(error.message())
                .setFieldPath(error.details().isEmpty() ? null : error.details().get(0).field())
                .setRejectedAt(java.time.Instant.now())
                .setRejectedBy("ingest-gateway")
                .setOriginalValue(ByteBuffer.wrap(body))
                .setOriginalContentType("application/json")
                .setOriginalHeaders(Map.of("tenant", tenant))
                .build();
        try {
            byte[] key = (tenant + ":" + (eventId != null ? eventId : rejectionId)).getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(TopicCatalog.INGEST_REJECTED, key,
                    serializer.serialize(TopicCatalog.INGEST_REJECTED, rejection)), (metadata, failure) -> {
                        if (failure != null) {
                            LOG.warn("Could not record rejection {} of tenant {} on {}: {}", rejectionId, tenant,
                                    TopicCatalog.INGEST_REJECTED, failure.toString());
                        }
                    });
        } catch (RuntimeException e) {
            LOG.warn("Could not record rejection {} of tenant {} on {}: {}", rejectionId, tenant,
                    TopicCatalog.INGEST_REJECTED, e.toString());
        }
    }
}
