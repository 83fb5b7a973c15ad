package dev.eventbackbone.service;

import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.contracts.registry.SchemaRegistryException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds the RejectedEvent that keeps a record a topology could not take, bytes untouched. */
public final class DeadLetters {

    /** Headers worth keeping with a rejection; anything else (a credential, say) is never copied. */
    private static final List<String> SAFE_HEADERS = List.of("event-id", "tenant", "source", "traceparent", "content-type");

    private DeadLetters() {
    }

    /**
     * @param eventId  the record's event id when it could be read, else null
     * @param tenantId the record's tenant when it could be read, else null (then the tenant header's)
     * @param stream   the ingest stream the record came from, e.g. {@code audit}
     * @param component what rejected it, e.g. {@code audit-normalizer}
     * @param error    the exception behind the rejection, or null
     */
    public static RejectedEvent rejection(Record<byte[], byte[]> record, RecordMetadata source, String eventId,
                                          String tenantId, String stream, String component, RejectionReason reason,
                                          String message, String fieldPath, Throwable error, long now) {
        Map<String, String> headers = safeHeaders(record.headers());
        return RejectedEvent.newBuilder()
                .setRejectionId(UUID.randomUUID().toString())
                .setEventId(eventId)
                .setTenantId(tenantId != null && !tenantId.isBlank() ? tenantId : headers.get("tenant"))
                .setStream(stream)
                .setReasonCode(reason)
                .setReason(message)
                .setFieldPath(fieldPath)
                .setRejectedAt(Instant.ofEpochMilli(now))
                .setRejectedBy(component)
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

    /**
     * Why a value could not be decoded. A registry that cannot be reached, or a JVM that refuses the
     * generated classes, is no fault of the record: rethrown, so the record is retried, not dead-lettered.
     */
    public static RejectionReason reasonOf(SerializationException e) {
        if (e.getCause() instanceof SchemaRegistryException registry) {
            if (registry.status() == 404) {
                return RejectionReason.UNKNOWN_SCHEMA;
            }
            throw e;
        }
        if (e.getCause() instanceof SecurityException) {
            throw e;
        }
        return RejectionReason.UNDECODABLE;
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
