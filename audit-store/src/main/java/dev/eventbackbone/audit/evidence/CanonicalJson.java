package dev.eventbackbone.audit.evidence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditResource;
import dev.eventbackbone.contracts.events.AuditSealedFields;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one byte encoding of an audit record that its chain hash covers: compact JSON, object keys
 * sorted, every schema field present (null when absent) but {@code sealed}, which appears only when
 * set, times as epoch milliseconds. JSON rather
 * than Avro binary so an auditor can recompute a hash with any language's JSON library, without
 * our schemas; sorted keys because Avro maps and parsers keep no reliable order.
 */
public final class CanonicalJson {

    /**
     * Characters above U+FFFF are written as their four UTF-8 bytes, as Python's {@code json.dumps}
     * with {@code ensure_ascii=False} writes them, not as an escaped surrogate pair (Jackson's default).
     */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build());
    /**
     * Object keys in Unicode code point order, as Python's {@code sort_keys} and most JSON
     * canonicalizations sort them; Java's own {@code String} order compares UTF-16 units, which
     * differs for characters above U+FFFF.
     */
    public static final Comparator<String> CODE_POINT_ORDER = CanonicalJson::compareCodePoints;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /**
     * Present only when the record seals personal fields (docs/audit.md, Erasure): records without
     * any keep the bytes they had before sealing existed, so their leaves and every root over them stay.
     */
    private static final String SEALED = "sealed";

    private CanonicalJson() {
    }

    /** The record as the JSON tree the chain covers. */
    public static ObjectNode tree(AuditRecord record) {
        ObjectNode node = NODES.objectNode();
        node.put("eventId", record.getEventId());
        node.put("tenantId", record.getTenantId());
        node.put("source", record.getSource());
        node.put("receivedAt", record.getReceivedAt().toEpochMilli());
        node.put("traceparent", record.getTraceparent());
        node.put("occurredAt", record.getOccurredAt().toEpochMilli());
        node.put("action", record.getAction());
        node.put("actionRaw", record.getActionRaw());
        node.put("outcome", record.getOutcome().name());
        node.put("severity", record.getSeverity().name());
        node.put("actorType", record.getActorType().name());
        node.put("actorId", record.getActorId());
        node.put("actorName", record.getActorName());
        node.put("actorEmailHash", record.getActorEmailHash());
        AuditResource resource = record.getResource();
        ObjectNode resourceNode = node.putObject("resource");
        resourceNode.put("type", resource.getType());
        resourceNode.put("id", resource.getId());
        resourceNode.put("name", resource.getName());
        node.put("ip", record.getIp());
        node.put("userAgent", record.getUserAgent());
        if (record.getSealed() != null) {
            ObjectNode sealed = node.putObject(SEALED);
            sealed.put("keyId", record.getSealed().getKeyId());
            sealed.put("nonce", base64(record.getSealed().getNonce()));
            sealed.put("ciphertext", base64(record.getSealed().getCiphertext()));
        }
        ObjectNode flags = node.putObject("flags");
        flags.put("unknownAction", record.getFlags().getUnknownAction());
        flags.put("occurredAtInferred", record.getFlags().getOccurredAtInferred());
        flags.put("occurredAtInFuture", record.getFlags().getOccurredAtInFuture());
        ObjectNode metadata = node.putObject("metadata");
        sorted(record.getMetadata()).forEach(entry -> metadata.put(entry.getKey(), entry.getValue()));
        return node;
    }

    /**
     * The same bytes as {@code encode(tree(record))}, written field by field in sorted order without
     * building a tree: this runs once per stored record, so it is on the ingest path.
     */
    public static byte[] encode(AuditRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(640);
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("action", record.getAction());
            json.writeStringField("actionRaw", record.getActionRaw());
            json.writeStringField("actorEmailHash", record.getActorEmailHash());
            json.writeStringField("actorId", record.getActorId());
            json.writeStringField("actorName", record.getActorName());
            json.writeStringField("actorType", record.getActorType().name());
            json.writeStringField("eventId", record.getEventId());
            json.writeObjectFieldStart("flags");
            json.writeBooleanField("occurredAtInFuture", record.getFlags().getOccurredAtInFuture());
            json.writeBooleanField("occurredAtInferred", record.getFlags().getOccurredAtInferred());
            json.writeBooleanField("unknownAction", record.getFlags().getUnknownAction());
            json.writeEndObject();
            json.writeStringField("ip", record.getIp());
            json.writeObjectFieldStart("metadata");
            for (Map.Entry<String, String> entry : sorted(record.getMetadata())) {
                json.writeStringField(entry.getKey(), entry.getValue());
            }
            json.writeEndObject();
            json.writeNumberField("occurredAt", record.getOccurredAt().toEpochMilli());
            json.writeStringField("outcome", record.getOutcome().name());
            json.writeNumberField("receivedAt", record.getReceivedAt().toEpochMilli());
            json.writeObjectFieldStart("resource");
            json.writeStringField("id", record.getResource().getId());
            json.writeStringField("name", record.getResource().getName());
            json.writeStringField("type", record.getResource().getType());
            json.writeEndObject();
            if (record.getSealed() != null) {
                AuditSealedFields sealed = record.getSealed();
                json.writeObjectFieldStart(SEALED);
                json.writeStringField("ciphertext", base64(sealed.getCiphertext()));
                json.writeStringField("keyId", sealed.getKeyId());
                json.writeStringField("nonce", base64(sealed.getNonce()));
                json.writeEndObject();
            }
            json.writeStringField("severity", record.getSeverity().name());
            json.writeStringField("source", record.getSource());
            json.writeStringField("tenantId", record.getTenantId());
            json.writeStringField("traceparent", record.getTraceparent());
            json.writeStringField("userAgent", record.getUserAgent());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing JSON to memory failed", e);
        }
        return out.toByteArray();
    }

    private static String base64(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        return Base64.getEncoder().encodeToString(copy);
    }

    private static Iterable<Map.Entry<String, String>> sorted(Map<String, String> metadata) {
        if (metadata.size() <= 1) {
            return metadata.entrySet();
        }
        Map<String, String> sorted = new TreeMap<>(CODE_POINT_ORDER);
        sorted.putAll(metadata);
        return sorted.entrySet();
    }

    /** Canonical bytes of any JSON tree: re-encoding a parsed canonical record gives the same bytes. */
    public static byte[] encode(JsonNode tree) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(640);
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
            write(json, tree);
        } catch (IOException e) {
            throw new UncheckedIOException("Writing JSON to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator json, JsonNode node) throws IOException {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(CODE_POINT_ORDER);
            json.writeStartObject();
            for (String name : names) {
                json.writeFieldName(name);
                write(json, node.get(name));
            }
            json.writeEndObject();
        } else if (node.isArray()) {
            json.writeStartArray();
            for (JsonNode element : node) {
                write(json, element);
            }
            json.writeEndArray();
        } else {
            json.writeTree(node);
        }
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    public static ObjectNode parse(byte[] json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalArgumentException("Not a JSON object: " + node.getNodeType());
            }
            return object;
        } catch (IOException e) {
            throw new UncheckedIOException("Not valid JSON", e);
        }
    }

    /** A JSON object of plain values with sorted keys, as signed heads and export lines are written. */
    public static byte[] encode(Map<String, ?> fields) {
        return encode((JsonNode) MAPPER.valueToTree(fields));
    }
}
