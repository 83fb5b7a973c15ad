package dev.eventbackbone.registry.serde;

import java.nio.ByteBuffer;

/** Reads the schema id of the Confluent wire-format header by hand, independently of the serde. */
final class ByteId {

    private ByteId() {
    }

    static int of(byte[] serialized) {
        if (serialized.length < 5 || serialized[0] != 0) {
            throw new AssertionError("Not in Confluent wire format: " + java.util.HexFormat.of().formatHex(serialized));
        }
        return ByteBuffer.wrap(serialized, 1, 4).getInt();
    }
}
