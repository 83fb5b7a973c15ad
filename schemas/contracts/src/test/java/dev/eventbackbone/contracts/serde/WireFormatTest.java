package dev.eventbackbone.contracts.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void headerIsMagicZeroThenTheBigEndianId() {
        assertThat(WireFormat.header(0x01020304)).containsExactly(0x00, 0x01, 0x02, 0x03, 0x04);
        assertThat(WireFormat.header(1)).containsExactly(0x00, 0x00, 0x00, 0x00, 0x01);
    }

    @Test
    void readsTheBigEndianSchemaIdAfterTheMagicByte() {
        assertThat(WireFormat.schemaId(new byte[] {0, 0, 0, 1, 0x2c, 2, 'h', 'i'}, "t", false)).isEqualTo(300);
        assertThat(WireFormat.schemaId(new byte[] {0, 0x7f, -1, -1, -1}, "t", false)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void rejectsAPayloadShorterThanTheHeaderNamingTopicAndLength() {
        assertThatThrownBy(() -> WireFormat.schemaId(new byte[] {0, 0, 1}, "orders.commands", true))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("key of a record on topic 'orders.commands'")
                .hasMessageContaining("3 bytes long")
                .hasMessageContaining("5-byte Confluent wire-format header");
    }

    @Test
    void rejectsAnEmptyPayload() {
        assertThatThrownBy(() -> WireFormat.schemaId(new byte[0], "audit.raw", false))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("value of a record on topic 'audit.raw' is 0 bytes long");
    }

    @Test
    void rejectsAWrongMagicByteNamingIt() {
        byte[] json = "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThatThrownBy(() -> WireFormat.schemaId(json, "audit.raw", false))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'audit.raw'")
                .hasMessageContaining("starts with byte 123 instead of the magic byte 0");
    }
}
