package dev.eventbackbone.contracts.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.embeddedkafka.FreePorts;
import java.io.IOException;
import java.util.Date;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** What the serde decides before it needs a registry; the registry sits on a port where nothing listens. */
class AvroSerdeTest {

    @Test
    void tombstonesStayNullBothWays() throws IOException {
        try (AvroSerde<GenericRecord> serde = AvroSerde.generic(deadRegistry())) {
            assertThat(serde.serializer().serialize("t", null)).isNull();
            assertThat(serde.deserializer().deserialize("t", null)).isNull();
        }
    }

    @Test
    void deserializerRejectsAPayloadWithoutTheHeaderBeforeAskingTheRegistry() throws IOException {
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>(deadRegistry());

        assertThatThrownBy(() -> deserializer.deserialize("audit.raw", new byte[] {1, 0, 0, 0, 7, 2}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'audit.raw'")
                .hasMessageContaining("magic byte 0");
        assertThatThrownBy(() -> deserializer.deserialize("audit.raw", new byte[] {0, 0}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("2 bytes long");
    }

    @Test
    void deserializerNamesTheTopicAndIdWhenTheRegistryCannotBeReached() throws IOException {
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>(deadRegistry());

        assertThatThrownBy(() -> deserializer.deserialize("audit.raw", new byte[] {0, 0, 0, 0, 42, 2}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id 42")
                .hasMessageContaining("topic 'audit.raw'");
    }

    @Test
    void serializerRejectsValuesAvroCannotDescribe() throws IOException {
        AvroSerializer<Object> serializer = new AvroSerializer<>(deadRegistry());

        assertThatThrownBy(() -> serializer.serialize("audit.raw", new Date()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("java.util.Date")
                .hasMessageContaining("SpecificRecord");
    }

    @Test
    void unconfiguredSerdeSaysHowToConfigureIt() {
        assertThatThrownBy(() -> new AvroSerializer<>().serialize("t", "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> new AvroDeserializer<>().deserialize("t", new byte[] {0, 0, 0, 0, 1}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void specificReaderAndAReaderSchemaExcludeEachOther() {
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>();

        assertThatThrownBy(() -> deserializer.configure(Map.of(
                "schema.registry.url", "http://127.0.0.1:8081",
                "specific.avro.reader", "true",
                "avro.reader.schema", "\"string\""), false))
                .hasMessageContaining("avro.reader.schema")
                .hasMessageContaining("specific.avro.reader");
    }

    private static SchemaRegistryClient deadRegistry() throws IOException {
        int port = FreePorts.next();
        return SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", "http://127.0.0.1:" + port,
                "schema.registry.max.retries", "0"));
    }
}
