package dev.eventbackbone.contracts.serde;

import dev.eventbackbone.contracts.registry.SchemaRegistryClientConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of {@link AvroSerializer}, {@link AvroDeserializer} and {@link AvroSerde}: the
 * registry client's keys ({@link SchemaRegistryClientConfig}) plus the serde's own, named as in
 * Confluent's serializers wherever Confluent has the setting.
 */
public final class AvroSerdeConfig extends AbstractConfig {

    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    private static final String AUTO_REGISTER_SCHEMAS_DOC = "Whether the serializer registers a record's schema "
            + "under its subject. When false the schema must be registered already (the serializer looks it up "
            + "and fails if it is not there).";

    public static final String USE_LATEST_VERSION = "use.latest.version";
    private static final String USE_LATEST_VERSION_DOC = "Whether the serializer writes with the subject's latest "
            + "registered schema instead of the record's own, converting the record when its schema is "
            + "compatible. Takes precedence over auto.register.schemas.";

    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";
    private static final String LATEST_CACHE_TTL_SEC_DOC = "How long, in seconds, use.latest.version keeps a "
            + "subject's latest schema before asking the registry again; -1 keeps it for the serializer's life.";

    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    private static final String KEY_SUBJECT_NAME_STRATEGY_DOC = "Subject naming for record keys: topic "
            + "(<topic>-key), record (<full record name>) or topic-record (<topic>-<full record name>); "
            + "Confluent's class names (io.confluent.kafka.serializers.subject.TopicNameStrategy, ...) are "
            + "accepted too.";

    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    private static final String VALUE_SUBJECT_NAME_STRATEGY_DOC = "Subject naming for record values: topic "
            + "(<topic>-value), record or topic-record; Confluent's class names are accepted too.";

    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    private static final String SPECIFIC_AVRO_READER_DOC = "Whether the deserializer returns instances of the "
            + "generated class named like the writer schema, decoded with that class's schema as the reader, "
            + "instead of GenericRecords.";

    public static final String AVRO_READER_SCHEMA = "avro.reader.schema";
    private static final String AVRO_READER_SCHEMA_DOC = "An Avro schema (JSON) that the deserializer resolves "
            + "every writer schema into when it returns GenericRecords; empty to return the writer's own shape.";

    private static final ConfigDef.Validator STRATEGY = (name, value) -> SubjectNameStrategy.parse(name,
            (String) value);

    private static final ConfigDef CONFIG = SchemaRegistryClientConfig.configDef()
            .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM, AUTO_REGISTER_SCHEMAS_DOC)
            .define(USE_LATEST_VERSION, Type.BOOLEAN, false, Importance.LOW, USE_LATEST_VERSION_DOC)
            .define(LATEST_CACHE_TTL_SEC, Type.LONG, -1L, ConfigDef.Range.atLeast(-1), Importance.LOW,
                    LATEST_CACHE_TTL_SEC_DOC)
            .define(KEY_SUBJECT_NAME_STRATEGY, Type.STRING, SubjectNameStrategy.TOPIC.shortName(), STRATEGY,
                    Importance.MEDIUM, KEY_SUBJECT_NAME_STRATEGY_DOC)
            .define(VALUE_SUBJECT_NAME_STRATEGY, Type.STRING, SubjectNameStrategy.TOPIC.shortName(), STRATEGY,
                    Importance.MEDIUM, VALUE_SUBJECT_NAME_STRATEGY_DOC)
            .define(SPECIFIC_AVRO_READER, Type.BOOLEAN, false, Importance.MEDIUM, SPECIFIC_AVRO_READER_DOC)
            .define(AVRO_READER_SCHEMA, Type.STRING, "", Importance.LOW, AVRO_READER_SCHEMA_DOC);

    public AvroSerdeConfig(Map<String, ?> originals) {
        super(CONFIG, classNamesAsStrings(originals), false);
    }

    /** The ConfigDef, e.g. for generating documentation of every key. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public boolean autoRegisterSchemas() {
        return getBoolean(AUTO_REGISTER_SCHEMAS);
    }

    public boolean useLatestVersion() {
        return getBoolean(USE_LATEST_VERSION);
    }

    /** How long a latest schema is reused; empty to reuse it forever. */
    public Optional<Duration> latestCacheTtl() {
        long seconds = getLong(LATEST_CACHE_TTL_SEC);
        return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    }

    public SubjectNameStrategy subjectNameStrategy(boolean isKey) {
        String key = isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY;
        return SubjectNameStrategy.parse(key, getString(key));
    }

    public boolean specificAvroReader() {
        return getBoolean(SPECIFIC_AVRO_READER);
    }

    public Optional<Schema> readerSchema() {
        String json = getString(AVRO_READER_SCHEMA);
        if (json.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Schema.Parser().parse(json));
        } catch (SchemaParseException e) {
            throw new ConfigException(AVRO_READER_SCHEMA, json, "not an Avro schema: " + e.getMessage());
        }
    }

    /** Confluent's strategy settings are of type class, so configurations may hold Class objects. */
    private static Map<String, Object> classNamesAsStrings(Map<String, ?> originals) {
        Map<String, Object> copy = new HashMap<>(originals);
        for (String key : new String[] {KEY_SUBJECT_NAME_STRATEGY, VALUE_SUBJECT_NAME_STRATEGY}) {
            if (copy.get(key) instanceof Class<?> type) {
                copy.put(key, type.getName());
            }
        }
        return copy;
    }
}
