package dev.eventbackbone.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.contracts.auth.ApiKey;
import dev.eventbackbone.contracts.registry.SchemaRegistryException;
import dev.eventbackbone.ingest.validation.JsonRecordReader;
import dev.eventbackbone.service.ApiError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Turns one posted JSON event into a Kafka record: stamps what only the gateway may set (tenant from
 * the API key, receivedAt, eventId when absent, source when absent, traceparent from the header),
 * validates it against the stream's schema, serializes it as Avro in Confluent's wire format and
 * sets the key and headers. Every problem comes back as an {@link ApiError} naming the field.
 */
final class EventIntake {

    static final String DEFAULT_SOURCE = "http";
    private static final int MAX_EVENT_ID_LENGTH = 128;
    private static final int REGISTRY_RETRY_AFTER_SECONDS = 5;
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    /** A valid event, ready for the publisher. */
    record Prepared(String eventId, OutgoingRecord record) {
    }

    private final Map<IngestStream, JsonRecordReader> readers = new EnumMap<>(IngestStream.class);
    private final Serializer<Object> serializer;

    EventIntake(Serializer<Object> serializer) {
        this.serializer = serializer;
        for (IngestStream stream : IngestStream.values()) {
            readers.put(stream, new JsonRecordReader(stream.schema()));
        }
    }

    static void requireValidTraceparent(String traceparent) {
        if (traceparent != null && !TRACEPARENT.matcher(traceparent).matches()) {
            throw ApiError.of(400, "invalid_header", "The traceparent header '" + abbreviate(traceparent)
                    + "' is not W3C Trace Context (version-traceid-parentid-flags, lowercase hex).", "traceparent")
                    .asException();
        }
    }

    /**
     * @param derivedEventId the id to use when the body has none: derived from the Idempotency-Key,
     *                       or a new time-ordered one
     */
    Prepared prepare(IngestStream stream, ApiKey key, JsonNode json, String derivedEventId, String traceparent,
                     long receivedAt) {
        if (!(json instanceof ObjectNode event)) {
            throw ApiError.of(422, "schema_violation", "An event must be a JSON object, got "
                    + JsonKinds.of(json) + ".", "$").asException();
        }
        JsonNode tenant = event.get("tenantId");
        if (tenant != null && !tenant.isNull() && !tenant.asText().equals(key.tenant())) {
            throw ApiError.of(403, "tenant_mismatch", "The event names tenant '" + abbreviate(tenant.asText())
                    + "', but the API key belongs to tenant '" + key.tenant() + "'; the gateway stamps the key's"
                    + " tenant, so leave tenantId out.", "tenantId").asException();
        }
        for (String stamped : List.of("receivedAt", "traceparent")) {
            if (event.has(stamped)) {
                throw ApiError.of(422, "schema_violation", stamped + " is set by the gateway"
                        + ("traceparent".equals(stamped) ? " from the traceparent header" : "")
                        + "; leave it out of the body.", stamped).asException();
            }
        }
        JsonNode givenId = event.get("eventId");
        if (givenId != null && (!givenId.isTextual() || givenId.asText().isBlank()
                || givenId.asText().length() > MAX_EVENT_ID_LENGTH)) {
            throw ApiError.of(422, "schema_violation", "eventId must be a non-blank string of at most "
                    + MAX_EVENT_ID_LENGTH + " characters, or absent.", "eventId").asException();
        }
        String eventId = givenId != null ? givenId.asText() : derivedEventId;
        event.put("eventId", eventId);
        event.put("tenantId", key.tenant());
        event.put("receivedAt", receivedAt);
        if (!event.hasNonNull("source")) {
            event.put("source", key.source() != null ? key.source() : DEFAULT_SOURCE);
        }
        if (traceparent != null) {
            event.put("traceparent", traceparent);
        }

        JsonRecordReader.Result result = readers.get(stream).read(event);
        if (result instanceof JsonRecordReader.Result.Rejected rejected) {
            List<ApiError.Detail> details = new ArrayList<>(rejected.errors().size());
            rejected.errors().forEach(error -> details.add(new ApiError.Detail(error.path(), error.message())));
            String message = "The event does not match the " + stream.streamName() + " schema: "
                    + details.get(0) + (details.size() > 1 ? " (and " + (details.size() - 1) + " more)" : "") + ".";
            throw new ApiError(422, "schema_violation", message, details, null).asException();
        }
        GenericRecord record = ((JsonRecordReader.Result.Converted) result).record();
        byte[] value = serialize(stream, record);
        Map<String, byte[]> headers = new LinkedHashMap<>(4);
        headers.put("event-id", utf8(eventId));
        headers.put("tenant", utf8(key.tenant()));
        headers.put("source", utf8(String.valueOf(record.get("source"))));
        if (traceparent != null) {
            headers.put("traceparent", utf8(traceparent));
        }
        return new Prepared(eventId, new OutgoingRecord(stream.topic(), utf8(stream.kafkaKey(record)), value, headers));
    }

    /**
     * The record in Confluent's wire format. A stream whose schema id the serializer has cached needs no
     * registry; for another one, a registry that does not answer is a 503 to retry, never a 500.
     */
    private byte[] serialize(IngestStream stream, GenericRecord record) {
        try {
            return serializer.serialize(stream.topic(), record);
        } catch (SerializationException e) {
            if (e.getCause() instanceof SchemaRegistryException registry && registry.retryable()) {
                throw ApiError.of(503, "registry_unavailable", "The schema registry did not answer, and the "
                        + stream.streamName() + " stream's schema id is not known to this gateway yet; nothing was"
                        + " stored. Retry after the Retry-After delay.").retryAfter(REGISTRY_RETRY_AFTER_SECONDS)
                        .asException();
            }
            throw e;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }
}
