package dev.eventbackbone.contracts.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's wire format: byte 0 is the magic byte {@code 0}, bytes 1–4 the schema id as a
 * big-endian int, the rest the Avro binary encoding of the value (no container, no schema).
 */
final class WireFormat {

    static final byte MAGIC_BYTE = 0;
    static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    static byte[] header(int schemaId) {
        return ByteBuffer.allocate(HEADER_SIZE).put(MAGIC_BYTE).putInt(schemaId).array();
    }

    /** The schema id from the header of a serialized value, after checking the header is there and well-formed. */
    static int schemaId(byte[] payload, String topic, boolean isKey) {
        if (payload.length < HEADER_SIZE) {
            throw new SerializationException("The " + what(topic, isKey) + " is " + payload.length + " bytes long, shorter than"
                    + " the 5-byte Confluent wire-format header (magic byte 0 and a 4-byte schema id): it was not"
                    + " written by a schema-registry Avro serializer.");
        }
        if (payload[0] != MAGIC_BYTE) {
            throw new SerializationException("The " + what(topic, isKey) + " starts with byte " + payload[0]
                    + " instead of the magic byte 0 of the Confluent wire format: it was not written by a"
                    + " schema-registry Avro serializer (plain JSON or Avro without header?).");
        }
        return ByteBuffer.wrap(payload, 1, 4).getInt();
    }

    private static String what(String topic, boolean isKey) {
        return (isKey ? "key" : "value") + " of a record on topic '" + topic + "'";
    }
}
