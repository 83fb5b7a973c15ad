package dev.eventbackbone.registry.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.contracts.events.OrderItem;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.contracts.serde.AvroSerde;
import dev.eventbackbone.contracts.serde.AvroSerializer;
import dev.eventbackbone.registry.RegistryHttp;
import dev.eventbackbone.registry.RegistryExtension;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
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
        String topic = Topics.create(registry.bootstrapServers(), "orders-items");
        OrderItem named = OrderItem.newBuilder().setSku("SKU-1").setQuantity(2).setUnitPriceMinor(1_999L)
                .setName("Teapot").build();
        OrderItem unnamed = OrderItem.newBuilder().setSku("SKU-2").setQuantity(1).setUnitPriceMinor(5L)
                .setName(null).build();
        try (AvroSerde<OrderItem> serde = AvroSerde.specific(OrderItem.class)) {
            serde.configure(Map.of("schema.registry.url", registry.url()), false);
            Topics.produce(registry.bootstrapServers(), topic, serde.serializer(), Arrays.asList(named, null, unnamed));
        }

        Map<String, Object> config = Map.of("schema.registry.url", registry.url(), "specific.avro.reader", "true");
        try (KafkaConsumer<String, Object> consumer =
                     new KafkaConsumer<>(Topics.consumerProps(registry.bootstrapServers(), AvroDeserializer.class, config))) {
            List<ConsumerRecord<String, Object>> records = Topics.consume(consumer, topic, 3);

            assertThat(records).extracting(ConsumerRecord::value).containsExactly(named, null, unnamed);
            assertThat(records.get(0).value()).isInstanceOf(OrderItem.class);
        }
        assertThat(client.subjects()).contains(topic + "-value");
    }

    @Test
    void genericRecordsRoundTripThroughATopic() {
        String topic = Topics.create(registry.bootstrapServers(), "readings");
        GenericRecord reading = new GenericRecordBuilder(READING_V1).set("sensor", "s-1").set("value", 21.5).build();
        Map<String, Object> config = Map.of("schema.registry.url", registry.url());
        try (KafkaProducer<String, Object> producer =
                     new KafkaProducer<>(Topics.producerProps(registry.bootstrapServers(), AvroSerializer.class, config))) {
            producer.send(new ProducerRecord<>(topic, "s-1", reading)).get();
        } catch (Exception e) {
            throw new AssertionError("Producing to " + topic + " failed", e);
        }

        try (AvroSerde<GenericRecord> serde = AvroSerde.generic()) {
            serde.configure(config, false);
            GenericRecord read = Topics.consume(registry.bootstrapServers(), topic, serde.deserializer(), 1).get(0).value();

            assertThat(read.getSchema()).isEqualTo(READING_V1);
            assertThat(read.get("sensor")).hasToString("s-1");
            assertThat(read.get("value")).isEqualTo(21.5);
        }
    }

    @Test
    void olderGenericWritesAreReadWithTheNewerReaderSchemaAndItsDefaults() {
        String topic = Topics.create(registry.bootstrapServers(), "readings-evolving");
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(client);
        Topics.produce(registry.bootstrapServers(), topic, serializer,
                List.of(new GenericRecordBuilder(READING_V1).set("sensor", "s-1").set("value", 20.0).build()));
        client.register(topic + "-value", READING_V2);
        Topics.produce(registry.bootstrapServers(), topic, serializer, List.of(new GenericRecordBuilder(READING_V2)
                .set("sensor", "s-2").set("value", 70.0).set("unit", "fahrenheit").build()));

        List<ConsumerRecord<String, GenericRecord>> records =
                Topics.consume(registry.bootstrapServers(), topic, new AvroDeserializer<>(client, READING_V2), 2);

        assertThat(records).extracting(r -> r.value().getSchema()).containsOnly(READING_V2);
        assertThat(records.get(0).value().get("unit")).hasToString("celsius");
        assertThat(records.get(1).value().get("unit")).hasToString("fahrenheit");
        assertThat(client.versions(topic + "-value")).containsExactly(1, 2);
    }

    @Test
    void olderWritesAreReadIntoTheGeneratedClassWithItsDefaults() {
        String topic = Topics.create(registry.bootstrapServers(), "orders-items-old");
        Topics.produce(registry.bootstrapServers(), topic, new AvroSerializer<GenericRecord>(client), List.of(
                new GenericRecordBuilder(ORDER_ITEM_WITHOUT_NAME)
                        .set("sku", "SKU-OLD").set("quantity", 3).set("unitPriceMinor", 250L).build()));

        OrderItem read = Topics.consume(registry.bootstrapServers(), topic, new AvroDeserializer<>(client, OrderItem.class), 1)
                .get(0).value();

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
}
