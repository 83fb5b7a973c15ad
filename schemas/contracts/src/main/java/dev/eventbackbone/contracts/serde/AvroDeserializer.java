package dev.eventbackbone.contracts.serde;

import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.registry.SchemaRegistryClientConfig;
import dev.eventbackbone.contracts.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads values in Confluent's wire format: checks the magic byte, fetches the writer schema by the
 * id in the header from the schema registry (cached), and decodes the Avro binary with Avro's
 * schema resolution, so a value written with an older (or newer) compatible schema is read into
 * the reader's shape, missing fields taking their defaults. {@code null} bytes (a tombstone)
 * become {@code null}.
 *
 * <p>What it returns:
 * <ul>
 *   <li>a generated class: built by {@link AvroSerde#specific} or with
 *       {@link #AvroDeserializer(SchemaRegistryClient, Class)}, the class's own schema is the reader;
 *       with {@code specific.avro.reader=true}, the generated class named like the writer schema;</li>
 *   <li>otherwise a {@link org.apache.avro.generic.GenericRecord} in the writer's shape, or in the
 *       shape of {@code avro.reader.schema} when set;</li>
 *   <li>primitives as {@code String}, {@code Integer}, ..., {@code byte[]}.</li>
 * </ul>
 *
 * <p><b>Generated classes and Avro's class allow-list:</b> Avro 1.12 instantiates only classes
 * from trusted packages while decoding. Every JVM that deserializes the backbone's specific
 * records must start with {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.eventbackbone}
 * (or set that system property before the first record is read); otherwise decoding fails with
 * a {@link SerializationException} that says so.
 *
 * <p>Thread-safe once configured.
 */
public class AvroDeserializer<T> implements Deserializer<T> {

    private static final String SERIALIZABLE_PACKAGES = "org.apache.avro.SERIALIZABLE_PACKAGES";
    /** The packages whose generated classes every backbone JVM lets Avro instantiate. */
    public static final String BACKBONE_PACKAGES = "dev.eventbackbone";

    /**
     * Lets Avro instantiate the backbone's generated classes in this JVM, unless the operator set
     * {@code org.apache.avro.SERIALIZABLE_PACKAGES} already. Call it first thing in a {@code main}.
     */
    public static void trustBackboneClasses() {
        if (System.getProperty(SERIALIZABLE_PACKAGES) == null) {
            System.setProperty(SERIALIZABLE_PACKAGES, BACKBONE_PACKAGES);
        }
    }

    /** A thread's decoder, pointed at each value in turn instead of built for it. */
    private static final ThreadLocal<BinaryDecoder> DECODERS = new ThreadLocal<>();

    private SchemaRegistryClient client;
    private final Class<?> specificType;
    private boolean specificByWriterName;
    private Schema readerSchema;
    private boolean isKey;
    private Map<ReaderKey, DatumReader<Object>> readers = boundedMap(1_000);

    /** For Kafka, which then calls {@link #configure}; the registry client is built from that configuration. */
    public AvroDeserializer() {
        this.specificType = null;
    }

    /** Returns GenericRecords in the writer's shape, unless {@link #configure} says otherwise. */
    public AvroDeserializer(SchemaRegistryClient client) {
        this.client = client;
        this.specificType = null;
    }

    /** Returns GenericRecords resolved into {@code readerSchema}. */
    public AvroDeserializer(SchemaRegistryClient client, Schema readerSchema) {
        this.client = client;
        this.specificType = null;
        this.readerSchema = readerSchema;
    }

    /** Returns instances of the generated class {@code type}, decoded with its schema as the reader. */
    public AvroDeserializer(SchemaRegistryClient client, Class<T> type) {
        this.client = client;
        this.specificType = requireSpecific(type);
    }

    AvroDeserializer(Class<T> specificType) {
        this.specificType = specificType == null ? null : requireSpecific(specificType);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        if (client == null) {
            client = SchemaRegistryClient.fromConfig(configs);
        }
        this.isKey = isKey;
        Optional<Schema> configuredReader = config.readerSchema();
        if (specificType == null) {
            specificByWriterName = config.specificAvroReader();
            if (specificByWriterName && configuredReader.isPresent()) {
                throw new ConfigException(AvroSerdeConfig.AVRO_READER_SCHEMA + " is set together with "
                        + AvroSerdeConfig.SPECIFIC_AVRO_READER + "=true: a generated class brings its own reader"
                        + " schema, so set only one of them.");
            }
            configuredReader.ifPresent(schema -> this.readerSchema = schema);
        }
        this.readers = boundedMap(config.getInt(SchemaRegistryClientConfig.CACHE_CAPACITY));
    }

    void useClient(SchemaRegistryClient client) {
        this.client = client;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("AvroDeserializer is not configured: call configure(...) with "
                    + "schema.registry.url, or construct it with a SchemaRegistryClient.");
        }
        int schemaId = WireFormat.schemaId(data, topic, isKey);
        Schema writer;
        try {
            writer = client.schemaById(schemaId);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot fetch writer schema id " + schemaId + " for a " + side()
                    + " on topic '" + topic + "': " + e.getMessage(), e);
        }
        DatumReader<Object> reader = reader(schemaId, writer, topic);
        try {
            BinaryDecoder reused = DECODERS.get();
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_SIZE,
                    data.length - WireFormat.HEADER_SIZE, reused);
            if (decoder != reused) {
                DECODERS.set(decoder);
            }
            Object value = reader.read(null, decoder);
            return (T) AvroValues.forReading(value);
        } catch (SecurityException e) {
            throw untrustedClass(e, topic);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            throw new SerializationException("Cannot decode a " + side() + " on topic '" + topic
                    + "' written with schema id " + schemaId + " (" + writer.getFullName() + "): " + e.getMessage(), e);
        }
    }

    private DatumReader<Object> reader(int schemaId, Schema writer, String topic) {
        ReaderKey key = new ReaderKey(schemaId, specificByWriterName ? null : readerSchema);
        DatumReader<Object> cached;
        synchronized (this) {
            cached = readers.get(key);
        }
        if (cached != null) {
            return cached;
        }
        DatumReader<Object> created = newReader(schemaId, writer, topic);
        synchronized (this) {
            readers.put(key, created);
        }
        return created;
    }

    private DatumReader<Object> newReader(int schemaId, Schema writer, String topic) {
        try {
            if (specificType != null) {
                SpecificData model = SpecificData.getForClass(specificType);
                return resolving(schemaId, writer, model.getSchema(specificType), model, topic);
            }
            if (specificByWriterName && isNamed(writer)) {
                Class<?> type = SpecificData.get().getClass(writer);
                if (type == null) {
                    throw new SerializationException("A " + side() + " on topic '" + topic + "' has writer schema "
                            + writer.getFullName() + " (id " + schemaId + ") but " + AvroSerdeConfig.SPECIFIC_AVRO_READER
                            + "=true and no generated class of that name is on the classpath. Add the class, or read"
                            + " GenericRecords with " + AvroSerdeConfig.SPECIFIC_AVRO_READER + "=false.");
                }
                SpecificData model = SpecificData.getForClass(type);
                return resolving(schemaId, writer, model.getSchema(type), model, topic);
            }
            if (specificByWriterName) {
                return new SpecificDatumReader<>(writer, writer, SpecificData.get());
            }
            return resolving(schemaId, writer, readerSchema == null ? writer : readerSchema, GenericData.get(), topic);
        } catch (SecurityException e) {
            throw untrustedClass(e, topic);
        }
    }

    private DatumReader<Object> resolving(int schemaId, Schema writer, Schema reader, GenericData model, String topic) {
        if (reader != writer) {
            SchemaCompatibility.SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
            if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new SerializationException("A " + side() + " on topic '" + topic + "' was written with schema id "
                        + schemaId + " (" + writer.getFullName() + "), which reader schema " + reader.getFullName()
                        + " cannot read: " + compatibility.getResult().getIncompatibilities()
                        + ". Evolve the schemas compatibly or read with a matching reader schema.");
            }
        }
        return model instanceof SpecificData specific
                ? new SpecificDatumReader<>(writer, reader, specific)
                : new GenericDatumReader<>(writer, reader, model);
    }

    private SerializationException untrustedClass(SecurityException e, String topic) {
        return new SerializationException("Avro refused to instantiate a generated class while decoding a " + side()
                + " on topic '" + topic + "' (" + e.getMessage() + "). Start the JVM with -D" + SERIALIZABLE_PACKAGES
                + "=dev.eventbackbone (comma-separate further packages).", e);
    }

    private static boolean isNamed(Schema schema) {
        return switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> true;
            default -> false;
        };
    }

    private static Class<?> requireSpecific(Class<?> type) {
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type.getName() + " is not a generated Avro class (SpecificRecord);"
                    + " for GenericRecords use the generic constructors or AvroSerde.generic().");
        }
        return type;
    }

    private String side() {
        return isKey ? "key" : "value";
    }

    private static <K, V> Map<K, V> boundedMap(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** A reader per writer id and reader schema; a null reader schema stands for "derived from the writer". */
    private record ReaderKey(int writerId, Schema readerSchema) {
    }
}
