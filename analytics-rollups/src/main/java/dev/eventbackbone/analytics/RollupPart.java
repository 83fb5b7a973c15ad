package dev.eventbackbone.analytics;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What one task counted for one window of one {@code tenant|name} since it last passed its part
 * on: the record that travels from the tasks that read the events to the task that holds the
 * key's rollups.
 *
 * @param hour  an hour window's part, else a minute window's
 * @param start the window's start (UTC epoch milliseconds)
 */
record RollupPart(boolean hour, long start, Rollup rollup) {

    /** On the repartition topic: 1 byte hour or minute, 8 bytes start, then the rollup's own format. */
    static final class PartSerde implements Serde<RollupPart> {

        @Override
        public Serializer<RollupPart> serializer() {
            return (topic, part) -> {
                if (part == null) {
                    return null;
                }
                byte[] rollup = part.rollup().toBytes();
                return ByteBuffer.allocate(9 + rollup.length).put((byte) (part.hour() ? 1 : 0)).putLong(part.start())
                        .put(rollup).array();
            };
        }

        @Override
        public Deserializer<RollupPart> deserializer() {
            return (topic, bytes) -> {
                if (bytes == null) {
                    return null;
                }
                try {
                    ByteBuffer in = ByteBuffer.wrap(bytes);
                    boolean hour = in.get() == 1;
                    long start = in.getLong();
                    return new RollupPart(hour, start, Rollup.fromBytes(Arrays.copyOfRange(bytes, 9, bytes.length)));
                } catch (RuntimeException e) {
                    throw new SerializationException("Cannot read a rollup part", e);
                }
            };
        }
    }
}
