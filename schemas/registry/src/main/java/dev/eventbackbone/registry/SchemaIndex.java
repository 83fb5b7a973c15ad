package dev.eventbackbone.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's in-memory view of the schemas topic, fed record by record by the store's reader
 * thread and read by request threads. Records it does not understand (other key types, other
 * schema types) are skipped, so a topic shared with other tools does not stop the registry.
 */
final class SchemaIndex {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaIndex.class);

    private final Map<String, NavigableMap<Integer, StoredVersion>> subjects = new TreeMap<>();
    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel;
    private int maxId;

    synchronized void apply(byte[] keyBytes, byte[] valueBytes) {
        if (keyBytes == null) {
            return;
        }
        try {
            JsonNode key = SchemaRecords.read(keyBytes);
            String keyType = key.path("keytype").asText();
            JsonNode subjectNode = key.get("subject");
            String subject = subjectNode == null || subjectNode.isNull() ? null : subjectNode.asText();
            if (SchemaRecords.SCHEMA_KEY_TYPE.equals(keyType) && subject != null) {
                applySchema(subject, key.path("version").asInt(), valueBytes);
            } else if (SchemaRecords.CONFIG_KEY_TYPE.equals(keyType)) {
                applyConfig(subject, valueBytes);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Skipping a schemas topic record that cannot be read: key {}",
                    new String(keyBytes, StandardCharsets.UTF_8), e);
        }
    }

    private void applySchema(String subject, int version, byte[] valueBytes) throws IOException {
        if (valueBytes == null) {
            NavigableMap<Integer, StoredVersion> versions = subjects.get(subject);
            if (versions != null) {
                versions.remove(version);
            }
            return;
        }
        JsonNode value = SchemaRecords.read(valueBytes);
        String schemaType = value.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(schemaType)) {
            return;
        }
        StoredVersion stored = new StoredVersion(subject, version, value.path("id").asInt(),
                canonical(value.path("schema").asText()), value.path("deleted").asBoolean(false));
        subjects.computeIfAbsent(subject, s -> new TreeMap<>()).put(version, stored);
        schemasById.put(stored.id(), stored.schema());
        idsBySchema.putIfAbsent(stored.schema(), stored.id());
        maxId = Math.max(maxId, stored.id());
    }

    /**
     * The parsed schema's own text, so that a topic written by another registry (which may keep
     * the text as submitted) still matches identical schemas registered here.
     */
    private static String canonical(String schema) {
        try {
            return new Schema.Parser().parse(schema).toString();
        } catch (RuntimeException e) {
            LOG.warn("Keeping a stored schema as written because it does not parse on its own: {}", e.getMessage());
            return schema;
        }
    }

    private void applyConfig(String subject, byte[] valueBytes) throws IOException {
        CompatibilityLevel level = valueBytes == null ? null
                : CompatibilityLevel.parse(SchemaRecords.read(valueBytes).path("compatibilityLevel").asText());
        if (subject == null) {
            globalLevel = level;
        } else if (level == null) {
            subjectLevels.remove(subject);
        } else {
            subjectLevels.put(subject, level);
        }
    }

    synchronized Optional<String> schemaById(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    synchronized Optional<Integer> idOf(String canonicalSchema) {
        return Optional.ofNullable(idsBySchema.get(canonicalSchema));
    }

    synchronized int maxId() {
        return maxId;
    }

    /** Subjects with at least one live version (or any version when {@code includeDeleted}), sorted. */
    synchronized List<String> subjects(String prefix, boolean includeDeleted) {
        List<String> names = new ArrayList<>();
        subjects.forEach((subject, versions) -> {
            if (subject.startsWith(prefix)
                    && versions.values().stream().anyMatch(v -> includeDeleted || !v.deleted())) {
                names.add(subject);
            }
        });
        return names;
    }

    /** A subject's versions, oldest first. */
    synchronized List<StoredVersion> versions(String subject, boolean includeDeleted) {
        NavigableMap<Integer, StoredVersion> versions = subjects.get(subject);
        if (versions == null) {
            return List.of();
        }
        return versions.values().stream().filter(v -> includeDeleted || !v.deleted()).toList();
    }

    /** The highest version number a subject ever used, deleted ones included, or 0. */
    synchronized int maxVersion(String subject) {
        NavigableMap<Integer, StoredVersion> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? 0 : versions.lastKey();
    }

    /** Where a schema id is used, as live subject versions. */
    synchronized List<StoredVersion> usesOf(int id) {
        List<StoredVersion> uses = new ArrayList<>();
        subjects.values().forEach(versions -> versions.values().stream()
                .filter(v -> v.id() == id && !v.deleted())
                .forEach(uses::add));
        return uses;
    }

    synchronized Optional<CompatibilityLevel> globalLevel() {
        return Optional.ofNullable(globalLevel);
    }

    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }
}
