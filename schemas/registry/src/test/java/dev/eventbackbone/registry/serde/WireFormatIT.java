package dev.eventbackbone.registry.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.contracts.events.OrderItem;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroSerializer;
import dev.eventbackbone.embeddedkafka.KafkaRecords;
import dev.eventbackbone.embeddedkafka.KafkaTopics;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.registry.RegistryHttp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What our serializer puts on the wire is Confluent's format, checked without our deserializer or
 * client: bytes compared with a hand-written encoding, and a topic's records decoded by hand.
 */
class WireFormatIT {

    private static final Schema TINY = new Schema.Parser().parse("""
            {"type": "record", "name": "Tiny", "namespace": "dev.eventbackbone.golden",
             "fields": [{"name": "count", "type": "int"},
                        {"name": "big", "type": "long"},
                        {"name": "name", "type": "string"},
                        {"name": "flag", "type": "boolean"},
                        {"name": "note", "type": ["null", "string"], "default": null}]}""");

    /**
     * Tiny{count=-3, big=300, name="hi", flag=true, note="x"} in Avro binary: ints and longs are
     * zig-zag varints, strings a zig-zag length then UTF-8, a boolean one byte, a union its branch
     * index as a zig-zag varint then the value.
     */
    private static final String TINY_AVRO_HEX = ""
            + "05"       // count -3: zig-zag 5
            + "d804"     // big 300: zig-zag 600 = 0b100_1011000 -> 0xd8 (low 7 bits, more follows), 0x04
            + "04" + "6869" // name: length 2 -> zig-zag 4, then "hi"
            + "01"       // flag true
            + "02" + "02" + "78"; // note: union branch 1 -> zig-zag 2, length 1 -> zig-zag 2, "x"

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();
    private static SchemaRegistryClient client;

    @BeforeAll
    static void connect() {
        client = SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", registry.url()));
    }

    @Test
    void aValueThatFailsHalfWrittenOrALargeOneLeavesNothingInTheNextValueOnTheSameThread() {
        String topic = "reuse-" + UUID.randomUUID();
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(client);
        GenericRecord noName = new GenericData.Record(TINY);
        noName.put("count", -3);
        noName.put("big", 300L);
        noName.put("flag", true);
        GenericRecord large = new GenericRecordBuilder(TINY).set("count", 1).set("big", 2L)
                .set("name", "x".repeat(200_000)).set("flag", false).build();
        GenericRecord tiny = new GenericRecordBuilder(TINY).set("count", -3).set("big", 300L).set("name", "hi")
                .set("flag", true).set("note", "x").build();

        assertThatThrownBy(() -> serializer.serialize(topic, noName)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("Cannot write a value for topic '" + topic + "'");
        byte[] afterFailure = serializer.serialize(topic, tiny);
        assertThat(serializer.serialize(topic, large)).hasSizeGreaterThan(200_000);
        byte[] afterLarge = serializer.serialize(topic, tiny);

        String expected = "00" + String.format("%08x", new RegistryHttp(registry.url()).idOf(topic + "-value",
                TINY.toString())) + TINY_AVRO_HEX;
        assertThat(HexFormat.of().formatHex(afterFailure)).isEqualTo(expected);
        assertThat(HexFormat.of().formatHex(afterLarge)).isEqualTo(expected);
    }

    @Test
    void serializedBytesAreMagicZeroTheRegistrysIdAndThePlainAvroEncoding() {
        String topic = "golden-" + UUID.randomUUID();
        GenericRecord tiny = new GenericRecordBuilder(TINY).set("count", -3).set("big", 300L).set("name", "hi")
                .set("flag", true).set("note", "x").build();

        byte[] bytes = new AvroSerializer<GenericRecord>(client).serialize(topic, tiny);

        int id = new RegistryHttp(registry.url()).idOf(topic + "-value", TINY.toString());
        assertThat(HexFormat.of().formatHex(bytes))
                .isEqualTo("00" + String.format("%08x", id) + TINY_AVRO_HEX);
    }

    @Test
    void recordsOnATopicDecodeWithAPlainHttpClientAndAvrosGenericReader() throws IOException {
        String topic = KafkaTopics.createUnique(registry.bootstrapServers(), "independent", 1);
        OrderItem item = OrderItem.newBuilder().setSku("SKU-é").setQuantity(7).setUnitPriceMinor(-12L)
                .setName("Lamp").build();
        GenericRecord tiny = new GenericRecordBuilder(TINY).set("count", 1).set("big", Long.MAX_VALUE)
                .set("name", "").set("flag", false).set("note", null).build();
        Map<String, Object> config = Map.of("schema.registry.url", registry.url(),
                "value.subject.name.strategy", "record");
        try (KafkaProducer<String, Object> producer =
                     new KafkaProducer<>(AvroSerdeThroughTopicIT.byClassName(registry.bootstrapServers(), config))) {
            KafkaRecords.produce(producer, List.of(new ProducerRecord<>(topic, "a", item),
                    new ProducerRecord<>(topic, "b", tiny)));
        }

        List<ConsumerRecord<String, byte[]>> records = KafkaRecords.read(registry.bootstrapServers(), topic,
                new StringDeserializer(), new ByteArrayDeserializer()).awaitAtLeast(2);
        GenericRecord first = decodeByHand(records.get(0).value());
        GenericRecord second = decodeByHand(records.get(1).value());

        assertThat(first.getSchema().getFullName()).isEqualTo("dev.eventbackbone.contracts.events.OrderItem");
        assertThat(first.get("sku")).hasToString("SKU-é");
        assertThat(first.get("quantity")).isEqualTo(7);
        assertThat(first.get("unitPriceMinor")).isEqualTo(-12L);
        assertThat(first.get("name")).hasToString("Lamp");
        assertThat(second.getSchema()).isEqualTo(TINY);
        assertThat(second.get("big")).isEqualTo(Long.MAX_VALUE);
        assertThat(second.get("name")).hasToString("");
        assertThat(second.get("flag")).isEqualTo(false);
        assertThat(second.get("note")).isNull();
    }

    private static GenericRecord decodeByHand(byte[] value) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        assertThat(buffer.get()).as("magic byte").isZero();
        int id = buffer.getInt();
        Schema writer = new Schema.Parser().parse(new RegistryHttp(registry.url()).schemaById(id));
        return new GenericDatumReader<GenericRecord>(writer)
                .read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
    }
}
