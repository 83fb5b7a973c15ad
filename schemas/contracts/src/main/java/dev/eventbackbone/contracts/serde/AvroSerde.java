package dev.eventbackbone.contracts.serde;

import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * An {@link AvroSerializer} and {@link AvroDeserializer} pair for Kafka Streams, sharing one
 * registry client. Settings are those of {@link AvroSerdeConfig}.
 *
 * <pre>{@code
 * Serde<OrderCommand> commands = AvroSerde.specific(OrderCommand.class);
 * commands.configure(Map.of("schema.registry.url", "http://127.0.0.1:8081"), false);
 * }</pre>
 *
 * As {@code default.value.serde} (by class name) it reads GenericRecords, or generated classes with
 * {@code specific.avro.reader=true}. Decoding generated classes needs
 * {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.eventbackbone}, see {@link AvroDeserializer}.
 */
public final class AvroSerde<T> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;
    private boolean hasClient;

    /** For Kafka Streams' {@code default.key.serde} / {@code default.value.serde}, configured by Streams. */
    public AvroSerde() {
        this(new AvroSerializer<>(), new AvroDeserializer<>(), false);
    }

    private AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer, boolean hasClient) {
        this.serializer = serializer;
        this.deserializer = deserializer;
        this.hasClient = hasClient;
    }

    /** Reads and writes the generated class {@code type}; reads with its schema as the reader. Call {@link #configure}. */
    public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type) {
        return new AvroSerde<>(new AvroSerializer<>(), new AvroDeserializer<>(type), false);
    }

    /** As {@link #specific(Class)}, on a shared client; ready to use without {@link #configure}. */
    public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type, SchemaRegistryClient client) {
        return new AvroSerde<>(new AvroSerializer<>(client), new AvroDeserializer<>(client, type), true);
    }

    /** Reads GenericRecords in the writer's shape (or {@code avro.reader.schema}'s). Call {@link #configure}. */
    public static AvroSerde<GenericRecord> generic() {
        return new AvroSerde<>(new AvroSerializer<>(), new AvroDeserializer<>(), false);
    }

    /** As {@link #generic()}, on a shared client; ready to use without {@link #configure}. */
    public static AvroSerde<GenericRecord> generic(SchemaRegistryClient client) {
        return new AvroSerde<>(new AvroSerializer<>(client), new AvroDeserializer<>(client), true);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (!hasClient) {
            SchemaRegistryClient client = SchemaRegistryClient.fromConfig(configs);
            serializer.useClient(client);
            deserializer.useClient(client);
            hasClient = true;
        }
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
