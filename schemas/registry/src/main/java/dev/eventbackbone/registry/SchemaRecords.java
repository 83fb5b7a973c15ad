package dev.eventbackbone.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The schemas topic's record layout, Confluent's own, so the topic reads familiarly to anyone who
 * knows Confluent's registry. Keys are written with a fixed field order because compaction keeps
 * the last record per identical key bytes.
 *
 * <pre>
 * key   {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
 * value {"subject":"s","version":1,"id":7,"schemaType":"AVRO","schema":"...","deleted":false}
 * key   {"keytype":"CONFIG","subject":"s" or null,"magic":0}
 * value {"compatibilityLevel":"BACKWARD"}
 * </pre>
 */
final class SchemaRecords {

    static final String SCHEMA_KEY_TYPE = "SCHEMA";
    static final String CONFIG_KEY_TYPE = "CONFIG";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaRecords() {
    }

    static byte[] schemaKey(String subject, int version) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("keytype", SCHEMA_KEY_TYPE);
        key.put("subject", subject);
        key.put("version", version);
        key.put("magic", 1);
        return write(key);
    }

    static byte[] schemaValue(StoredVersion stored) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("subject", stored.subject());
        value.put("version", stored.version());
        value.put("id", stored.id());
        value.put("schemaType", "AVRO");
        value.put("schema", stored.schema());
        value.put("deleted", stored.deleted());
        return write(value);
    }

    /** The key of a compatibility setting; a {@code null} subject is the global setting. */
    static byte[] configKey(String subjectOrNull) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("keytype", CONFIG_KEY_TYPE);
        key.put("subject", subjectOrNull);
        key.put("magic", 0);
        return write(key);
    }

    static byte[] configValue(CompatibilityLevel level) {
        return write(Map.of("compatibilityLevel", level.name()));
    }

    static JsonNode read(byte[] bytes) throws IOException {
        return JSON.readTree(bytes);
    }

    private static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("Cannot encode schemas topic record " + value, e);
        }
    }
}
