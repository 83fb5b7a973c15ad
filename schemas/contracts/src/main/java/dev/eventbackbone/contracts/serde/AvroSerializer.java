package dev.eventbackbone.contracts.serde;

import dev.eventbackbone.contracts.registry.RegisteredSchema;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro values in Confluent's wire format (magic byte {@code 0}, the 4-byte big-endian
 * schema id, the Avro binary encoding), registering or looking up the schema in a
 * Confluent-compatible schema registry. Any Confluent deserializer can read what it writes.
 *
 * <p>Writes {@link SpecificRecord}s, {@link GenericContainer}s (records, enums, fixed) and the
 * Avro primitives ({@code String}, {@code Integer}, {@code Long}, {@code Float}, {@code Double},
 * {@code Boolean}, {@code byte[]}, {@code ByteBuffer}); {@code null} becomes {@code null} bytes,
 * a tombstone. Configure it as a Kafka serializer (settings in {@link AvroSerdeConfig}):
 *
 * <pre>{@code
 * props.put("value.serializer", AvroSerializer.class.getName());
 * props.put("schema.registry.url", "http://127.0.0.1:8081");
 * }</pre>
 *
 * or construct it with a shared {@link SchemaRegistryClient}. Thread-safe once configured.
 */
public class AvroSerializer<T> implements Serializer<T> {

    private SchemaRegistryClient client;
    private boolean isKey;
    private SubjectNameStrategy subjectNameStrategy = SubjectNameStrategy.TOPIC;
    private boolean autoRegisterSchemas = true;
    private boolean useLatestVersion;
    private Optional<Duration> latestCacheTtl = Optional.empty();
    private final Map<String, LatestSchema> latestBySubject = new ConcurrentHashMap<>();
    private final Map<Conversion, Boolean> checkedConversions = new ConcurrentHashMap<>();
    private final Map<TopicSchema, Integer> idsByTopicSchema = new ConcurrentHashMap<>();
    private final Map<Object, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

    /** The most (topic, schema) ids and writers kept; beyond it they are looked up again, still correct. */
    private static final int MAX_CACHED = 1_000;
    /** A thread's output buffer that grew past this for one large value is not kept for the next. */
    private static final int MAX_KEPT_BUFFER = 64 * 1024;
    private static final ThreadLocal<OutputBuffers> BUFFERS = ThreadLocal.withInitial(OutputBuffers::new);

    /** For Kafka, which then calls {@link #configure}; the registry client is built from that configuration. */
    public AvroSerializer() {
    }

    /**
     * Writes values (not keys) with TopicNameStrategy subjects, registering schemas, until
     * {@link #configure} says otherwise; {@code configure} then keeps this client.
     */
    public AvroSerializer(SchemaRegistryClient client) {
        this.client = client;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        if (client == null) {
            client = SchemaRegistryClient.fromConfig(configs);
        }
        this.isKey = isKey;
        this.subjectNameStrategy = config.subjectNameStrategy(isKey);
        this.autoRegisterSchemas = config.autoRegisterSchemas();
        this.useLatestVersion = config.useLatestVersion();
        this.latestCacheTtl = config.latestCacheTtl();
    }

    void useClient(SchemaRegistryClient client) {
        this.client = client;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("AvroSerializer is not configured: call configure(...) with "
                    + "schema.registry.url, or construct it with a SchemaRegistryClient.");
        }
        Schema schema = AvroValues.schemaOf(data, topic);
        if (useLatestVersion) {
            RegisteredSchema latest = latest(subjectNameStrategy.subjectName(topic, isKey, schema), topic);
            Object value = latest.schema().equals(schema) ? data : convert(data, schema, latest, topic);
            return write(latest.id(), latest.schema(), value, topic);
        }
        return write(schemaId(topic, schema), schema, data, topic);
    }

    /**
     * A subject's id for a schema never changes once registered, so it is kept per (topic, schema) here: the
     * registry client's shared cache would cost a subject name and a lock on every record.
     */
    private int schemaId(String topic, Schema schema) {
        TopicSchema key = new TopicSchema(topic, schema);
        Integer cached = idsByTopicSchema.get(key);
        if (cached != null) {
            return cached;
        }
        int id = schemaId(subjectNameStrategy.subjectName(topic, isKey, schema), schema, topic);
        keep(idsByTopicSchema, key, id);
        return id;
    }

    private static <K, V> void keep(Map<K, V> cache, K key, V value) {
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, value);
    }

    private int schemaId(String subject, Schema schema, String topic) {
        try {
            if (autoRegisterSchemas) {
                return client.register(subject, schema);
            }
            return client.lookup(subject, schema).map(RegisteredSchema::id).orElseThrow(() ->
                    new SerializationException("Schema " + schema.getFullName() + " of a " + side() + " for topic '"
                            + topic + "' is not registered under subject '" + subject + "', and "
                            + AvroSerdeConfig.AUTO_REGISTER_SCHEMAS + "=false: register it first (POST /subjects/"
                            + subject + "/versions) or set " + AvroSerdeConfig.AUTO_REGISTER_SCHEMAS + "=true."));
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot " + (autoRegisterSchemas ? "register" : "look up") + " schema "
                    + schema.getFullName() + " under subject '" + subject + "' for topic '" + topic + "': "
                    + e.getMessage(), e);
        }
    }

    private RegisteredSchema latest(String subject, String topic) {
        LatestSchema cached = latestBySubject.get(subject);
        if (cached != null && cached.isFresh(latestCacheTtl)) {
            return cached.schema();
        }
        try {
            RegisteredSchema latest = client.latest(subject);
            latestBySubject.put(subject, new LatestSchema(latest, System.nanoTime()));
            return latest;
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot get the latest schema of subject '" + subject + "' for topic '"
                    + topic + "' (" + AvroSerdeConfig.USE_LATEST_VERSION + "=true): " + e.getMessage(), e);
        }
    }

    /** Rewrites a value of {@code schema} as a value of the latest schema, by Avro's schema resolution. */
    private Object convert(Object data, Schema schema, RegisteredSchema latest, String topic) {
        boolean compatible = checkedConversions.computeIfAbsent(new Conversion(schema, latest.id()), c ->
                SchemaCompatibility.checkReaderWriterCompatibility(latest.schema(), schema).getType()
                        == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        if (!compatible) {
            throw new SerializationException("A " + side() + " of schema " + schema.getFullName() + " for topic '"
                    + topic + "' cannot be written with the latest version " + latest.version() + " (id " + latest.id()
                    + ") of subject '" + latest.subject() + "': that schema cannot read this one. Upgrade the "
                    + "producer's schema or set " + AvroSerdeConfig.USE_LATEST_VERSION + "=false.");
        }
        try {
            return new GenericDatumReader<>(schema, latest.schema(), GenericData.get())
                    .read(null, DecoderFactory.get().binaryDecoder(encode(schema, data), null));
        } catch (IOException | AvroRuntimeException e) {
            throw new SerializationException("Cannot convert a " + side() + " of schema " + schema.getFullName()
                    + " for topic '" + topic + "' to the latest schema (id " + latest.id() + "): " + e.getMessage(), e);
        }
    }

    /** Header and Avro binary written once into the thread's reused buffer, then copied out once. */
    private byte[] write(int schemaId, Schema schema, Object value, String topic) {
        OutputBuffers buffers = BUFFERS.get();
        try {
            return buffers.write(schemaId, writer(schema, value), AvroValues.forWriting(value));
        } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            BUFFERS.remove();
            throw new SerializationException("Cannot write a " + side() + " for topic '" + topic + "' as schema "
                    + schema.getFullName() + " (id " + schemaId + "): " + e.getMessage(), e);
        }
    }

    private DatumWriter<Object> writer(Schema schema, Object value) {
        Object key = value instanceof SpecificRecord ? value.getClass() : schema;
        DatumWriter<Object> cached = writers.get(key);
        if (cached != null) {
            return cached;
        }
        DatumWriter<Object> created = newWriter(schema, value);
        keep(writers, key, created);
        return created;
    }

    private byte[] encode(Schema schema, Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer(schema, value).write(AvroValues.forWriting(value), encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new AvroRuntimeException(e);
        }
        return out.toByteArray();
    }

    private static DatumWriter<Object> newWriter(Schema schema, Object value) {
        if (value instanceof SpecificRecord) {
            return new SpecificDatumWriter<>(schema, SpecificData.getForClass(value.getClass()));
        }
        return new GenericDatumWriter<>(schema, GenericData.get());
    }

    private String side() {
        return isKey ? "key" : "value";
    }

    private record Conversion(Schema from, int toId) {
    }

    private record TopicSchema(String topic, Schema schema) {
    }

    /**
     * One thread's output stream and buffered encoder, reused from record to record. Dropped after a failed write,
     * so no half-written value reaches the next one.
     */
    private static final class OutputBuffers {
        private ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        private BinaryEncoder encoder;

        byte[] write(int schemaId, DatumWriter<Object> writer, Object value) throws IOException {
            out.reset();
            out.writeBytes(WireFormat.header(schemaId));
            encoder = EncoderFactory.get().binaryEncoder(out, encoder);
            writer.write(value, encoder);
            encoder.flush();
            byte[] written = out.toByteArray();
            if (written.length > MAX_KEPT_BUFFER) {
                out = new ByteArrayOutputStream(256);
            }
            return written;
        }
    }

    private record LatestSchema(RegisteredSchema schema, long fetchedAtNanos) {
        boolean isFresh(Optional<Duration> ttl) {
            return ttl.map(t -> System.nanoTime() - fetchedAtNanos < t.toNanos()).orElse(true);
        }
    }
}
