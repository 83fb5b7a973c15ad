package dev.eventbackbone.testing;

import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.contracts.serde.AvroSerde;
import dev.eventbackbone.contracts.serde.AvroSerializer;
import dev.eventbackbone.embeddedkafka.KafkaRecords;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Our topics as a client team sees them: string keys, Confluent-wire-format Avro values through our
 * serde and the given registry, read committed. Dead-letter topics read as {@link RejectedEvent}s.
 *
 * <pre>{@code
 * AvroRecords avro = new AvroRecords(bootstrap, registryUrl);
 * avro.produce(List.of(new ProducerRecord<>(topic, "acme:u-1", record)));
 * List<ConsumerRecord<String, RejectedEvent>> dead = avro.deadLetters(dlqTopic).awaitAtLeast(1);
 * }</pre>
 */
public final class AvroRecords {

    private final String bootstrapServers;
    private final String registryUrl;

    public AvroRecords(String bootstrapServers, String registryUrl) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
    }

    /** The serde settings: the registry, and generated classes when they are on the classpath. */
    public Map<String, Object> serdeConfig() {
        return Map.of("schema.registry.url", registryUrl, "specific.avro.reader", "true");
    }

    /** A value serializer registering under {@code <topic>-value}, as the gateway's is. */
    public AvroSerializer<Object> serializer() {
        AvroSerializer<Object> serializer = new AvroSerializer<>();
        serializer.configure(serdeConfig(), false);
        return serializer;
    }

    /** A durable producer (acks=all, idempotent) of Avro values; the caller closes it. */
    public <V> KafkaProducer<String, V> producer() {
        AvroSerializer<V> values = new AvroSerializer<>();
        values.configure(serdeConfig(), false);
        Map<String, Object> config = new HashMap<>(KafkaRecords.durableProducerConfig(bootstrapServers, Map.of()));
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new StringSerializer(), values);
    }

    /** Sends the records in order and waits for every acknowledgement. */
    public <V> List<RecordMetadata> produce(List<ProducerRecord<String, V>> records) {
        try (KafkaProducer<String, V> producer = producer()) {
            return KafkaRecords.produce(producer, records);
        }
    }

    /** A reader of the topic's committed records, values decoded into generated classes. */
    public KafkaRecords.Reader<String, Object> read(String topic) {
        AvroDeserializer<Object> values = new AvroDeserializer<>();
        values.configure(serdeConfig(), false);
        return KafkaRecords.read(bootstrapServers, topic, new StringDeserializer(), values);
    }

    /** A reader of a dead-letter topic ({@code ingest.rejected}, {@code *.dlq}): each record's reason and original bytes. */
    public KafkaRecords.Reader<String, RejectedEvent> deadLetters(String topic) {
        AvroSerde<RejectedEvent> serde = AvroSerde.specific(RejectedEvent.class);
        serde.configure(serdeConfig(), false);
        return KafkaRecords.read(bootstrapServers, topic, new StringDeserializer(), serde.deserializer());
    }
}
