package dev.eventbackbone.processors.audit;

import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds the RejectedEvent that keeps an audit.raw record the normalizer could not take, bytes untouched. */
final class DeadLetters {

    /** Headers worth keeping with a rejection; anything else (a credential, say) is never copied. */
    private static final List<String> SAFE_HEADERS = List.of("event-id", "tenant", "source", "traceparent", "content-type");

    private DeadLetters() {
    }

    /**
     * @param raw the decoded event, or null when it could not be decoded
     * @param error the exception behind the rejection, or null
     */
    static RejectedEvent rejection(Record<byte[], byte[]> record, RecordMetadata source, AuditRawEvent raw,
                                   RejectionReason reason, String message, String fieldPath, Throwable error,
                                   long now) {
        Map<String, String> headers = safeHeaders(record.headers());
        return RejectedEvent.newBuilder()
                .setRejectionId(UUID.randomUUID().toString())
                .setEventId(raw == null ? null : raw.getEventId())
                .setTenantId(raw != null && !AuditNormalizer.isBlank(raw.getTenantId())
                        ? raw.getTenantId() : headers.get("tenant"))
                .setStream("audit")
                .setReasonCode(reason)
                .setReason(message)
                .setFieldPath(fieldPath)
                .setRejectedAt(Instant.ofEpochMilli(now))
                .setRejectedBy(AuditNormalizationTopology.COMPONENT)
                .setErrorClass(error == null ? null : error.getClass().getName())
                .setOriginalValue(ByteBuffer.wrap(record.value() == null ? new byte[0] : record.value()))
                .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setOriginalContentType("application/vnd.confluent.avro")
                .setOriginalHeaders(headers)
                .setSourceTopic(source == null ? null : source.topic())
                .setSourcePartition(source == null ? null : source.partition())
                .setSourceOffset(source == null ? null : source.offset())
                .build();
    }

    private static Map<String, String> safeHeaders(Headers headers) {
        Map<String, String> kept = new LinkedHashMap<>();
        for (String name : SAFE_HEADERS) {
            Header header = headers.lastHeader(name);
            if (header != null && header.value() != null) {
                kept.put(name, new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        return kept;
    }
}
