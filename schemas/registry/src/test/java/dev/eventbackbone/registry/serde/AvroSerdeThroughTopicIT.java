package dev.eventbackbone.registry.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.contracts.events.OrderItem;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.contracts.serde.AvroSerde;
import dev.eventbackbone.contracts.serde.AvroSerializer;
import dev.eventbackbone.embeddedkafka.KafkaRecords;
import dev.eventbackbone.embeddedkafka.KafkaTopics;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.registry.RegistryHttp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The serde against the real registry over HTTP and a real broker: what a producer writes, a consumer reads. */
class AvroSerdeThroughTopicIT {

    private static final Schema READING_V1 = new Schema.Parser().parse("""
            {"type": "record", "name": "Reading", "namespace": "dev.eventbackbone.serdeit",
             "fields": [{"name": "sensor", "type": "string"}, {"name": "value", "type": "double"}]}""");
    private static final Schema READING_V2 = new Schema.Parser().parse("""
            {"type": "record", "name": "Reading", "namespace": "dev.eventbackbone.serdeit",
             "fields": [{"name": "sensor", "type": "string"}, {"name": "value", "type": "double"},
                        {"name": "unit", "type": "string", "default": "celsius"}]}""");
    /** OrderItem as it might have been before it gained its optional {@code name}. */
    private static final Schema ORDER_ITEM_WITHOUT_NAME = new Schema.Parser().parse("""
            {"type": "record", "name": "OrderItem", "namespace": "dev.eventbackbone.contracts.events",
             "fields": [{"name": "sku", "type": "string"}, {"name": "quantity", "type": "int"},
                        {"name": "unitPriceMinor", "type": "long"}]}""");

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();
    private static SchemaRegistryClient client;

    @BeforeAll
    static void connect() {
        client = SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", registry.url()));
    }

    @Test
    void specificRecordsRoundTripThroughATopic() {
        String topic = KafkaTopics.createUnique(registry.bootstrapServers(), "orders-items", 1);
        OrderItem named = OrderItem.newBuilder().setSku("SKU-1").setQuantity(2).setUnitPriceMinor(1_999L)
                .setName("Teapot").build();
        OrderItem unnamed = OrderItem.newBuilder().setSku("SKU-2").setQuantity(1).setUnitPriceMinor(5L)
                .setName(null).build();
        try (AvroSerde<OrderItem> serde = AvroSerde.specific(OrderItem.class)) {
            serde.configure(Map.of("schema.registry.url", registry.url()), false);
            produceValues(topic, serde.serializer(), Arrays.asList(named, null, unnamed));
        }

        List<ConsumerRecord<String, Object>> records = KafkaRecords.<String, Object>read(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, registry.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class.getName(),
                "schema.registry.url", registry.url(), "specific.avro.reader", "true"), topic).awaitAtLeast(3);

        assertThat(records).extracting(ConsumerRecord::value).containsExactly(named, null, unnamed);
        assertThat(records.get(0).value()).isInstanceOf(OrderItem.class);
        assertThat(client.subjects()).contains(topic + "-value");
    }

    @Test
    void genericRecordsRoundTripThroughATopic() {
        String topic = KafkaTopics.createUnique(registry.bootstrapServers(), "readings", 1);
        GenericRecord reading = new GenericRecordBuilder(READING_V1).set("sensor", "s-1").set("value", 21.5).build();
        Map<String, Object> config = Map.of("schema.registry.url", registry.url());
        try (KafkaProducer<String, Object> producer =
                     new KafkaProducer<>(byClassName(registry.bootstrapServers(), config))) {
            KafkaRecords.produce(producer, List.of(new ProducerRecord<>(topic, "s-1", reading)));
        }

        try (AvroSerde<GenericRecord> serde = AvroSerde.generic()) {
            serde.configure(config, false);
            GenericRecord read = KafkaRecords.read(registry.bootstrapServers(), topic, new StringDeserializer(),
                    serde.deserializer()).awaitAtLeast(1).get(0).value();

            assertThat(read.getSchema()).isEqualTo(READING_V1);
            assertThat(read.get("sensor")).hasToString("s-1");
            assertThat(read.get("value")).isEqualTo(21.5);
        }
    }

    @Test
    void olderGenericWritesAreReadWithTheNewerReaderSchemaAndItsDefaults() {
        String topic = KafkaTopics.createUnique(registry.bootstrapServers(), "readings-evolving", 1);
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(client);
        produceValues(topic, serializer,
                List.of(new GenericRecordBuilder(READING_V1).set("sensor", "s-1").set("value", 20.0).build()));
        client.register(topic + "-value", READING_V2);
        produceValues(topic, serializer, List.of(new GenericRecordBuilder(READING_V2)
                .set("sensor", "s-2").set("value", 70.0).set("unit", "fahrenheit").build()));

        List<ConsumerRecord<String, GenericRecord>> records = KafkaRecords.read(registry.bootstrapServers(), topic,
                new StringDeserializer(), new AvroDeserializer<GenericRecord>(client, READING_V2)).awaitAtLeast(2);

        assertThat(records).extracting(r -> r.value().getSchema()).containsOnly(READING_V2);
        assertThat(records.get(0).value().get("unit")).hasToString("celsius");
        assertThat(records.get(1).value().get("unit")).hasToString("fahrenheit");
        assertThat(client.versions(topic + "-value")).containsExactly(1, 2);
    }

    @Test
    void olderWritesAreReadIntoTheGeneratedClassWithItsDefaults() {
        String topic = KafkaTopics.createUnique(registry.bootstrapServers(), "orders-items-old", 1);
        produceValues(topic, new AvroSerializer<GenericRecord>(client), List.of(
                new GenericRecordBuilder(ORDER_ITEM_WITHOUT_NAME)
                        .set("sku", "SKU-OLD").set("quantity", 3).set("unitPriceMinor", 250L).build()));

        OrderItem read = KafkaRecords.read(registry.bootstrapServers(), topic, new StringDeserializer(),
                new AvroDeserializer<>(client, OrderItem.class)).awaitAtLeast(1).get(0).value();

        assertThat(read).isEqualTo(OrderItem.newBuilder().setSku("SKU-OLD").setQuantity(3).setUnitPriceMinor(250L)
                .setName(null).build());
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSchemaFailsNamingTheSubject() {
        String topic = "unregistered-" + UUID.randomUUID();
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(client);
        serializer.configure(Map.of("schema.registry.url", registry.url(), "auto.register.schemas", "false"), false);
        GenericRecord reading = new GenericRecordBuilder(READING_V1).set("sensor", "s").set("value", 1.0).build();

        assertThatThrownBy(() -> serializer.serialize(topic, reading))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("is not registered under subject '" + topic + "-value'")
                .hasMessageContaining("auto.register.schemas=false");
        assertThat(client.subjects()).doesNotContain(topic + "-value");

        int id = client.register(topic + "-value", READING_V1);
        assertThat(ByteId.of(serializer.serialize(topic, reading))).isEqualTo(id);
    }

    @Test
    void useLatestVersionWritesWithTheSubjectsLatestSchema() {
        String topic = "latest-" + UUID.randomUUID();
        client.register(topic + "-value", READING_V1);
        int latestId = client.register(topic + "-value", READING_V2);
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(client);
        serializer.configure(Map.of("schema.registry.url", registry.url(),
                "auto.register.schemas", "false", "use.latest.version", "true"), false);

        byte[] bytes = serializer.serialize(topic, new GenericRecordBuilder(READING_V1)
                .set("sensor", "s-9").set("value", 3.5).build());

        assertThat(ByteId.of(bytes)).isEqualTo(latestId);
        GenericRecord read = new AvroDeserializer<GenericRecord>(client).deserialize(topic, bytes);
        assertThat(read.getSchema()).isEqualTo(READING_V2);
        assertThat(read.get("sensor")).hasToString("s-9");
        assertThat(read.get("unit")).hasToString("celsius");
    }

    @Test
    void useLatestVersionRefusesARecordTheLatestSchemaCannotRead() {
        String topic = "latest-incompatible-" + UUID.randomUUID();
        client.register(topic + "-value", READING_V2);
        Schema withRequiredField = new Schema.Parser().parse("""
                {"type": "record", "name": "Reading", "namespace": "dev.eventbackbone.serdeit",
                 "fields": [{"name": "sensor", "type": "int"}]}""");
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(client);
        serializer.configure(Map.of("schema.registry.url", registry.url(), "use.latest.version", "true"), false);

        GenericRecord unreadable = new GenericRecordBuilder(withRequiredField).set("sensor", 1).build();

        assertThatThrownBy(() -> serializer.serialize(topic, unreadable))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("latest version 1")
                .hasMessageContaining("subject '" + topic + "-value'");
    }

    @Test
    void recordNameStrategiesRegisterUnderTheRecordName() {
        String topic = "strategies-" + UUID.randomUUID();
        GenericRecord reading = new GenericRecordBuilder(READING_V1).set("sensor", "s").set("value", 1.0).build();
        AvroSerializer<GenericRecord> byRecord = new AvroSerializer<>();
        byRecord.configure(Map.of("schema.registry.url", registry.url(),
                "value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy"), false);
        AvroSerializer<GenericRecord> byTopicAndRecord = new AvroSerializer<>();
        byTopicAndRecord.configure(Map.of("schema.registry.url", registry.url(),
                "key.subject.name.strategy", "topic-record"), true);

        byRecord.serialize(topic, reading);
        byTopicAndRecord.serialize(topic, reading);

        assertThat(new RegistryHttp(registry.url()).subjects())
                .contains("dev.eventbackbone.serdeit.Reading", topic + "-dev.eventbackbone.serdeit.Reading")
                .doesNotContain(topic + "-value", topic + "-key");
    }

    /** Sends the values keyed {@code k<i>} and waits for every acknowledgement. */
    private static <V> void produceValues(String topic, Serializer<V> values, List<V> records) {
        List<ProducerRecord<String, V>> keyed = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            keyed.add(new ProducerRecord<>(topic, "k" + i, records.get(i)));
        }
        KafkaRecords.produce(registry.bootstrapServers(), new StringSerializer(), values, keyed);
    }

    /** Producer settings with our serializer named by class, as an application configures it. */
    static Map<String, Object> byClassName(String bootstrapServers, Map<String, Object> serdeConfig) {
        Map<String, Object> config = new HashMap<>(serdeConfig);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class.getName());
        return KafkaRecords.durableProducerConfig(bootstrapServers, config);
    }
}
