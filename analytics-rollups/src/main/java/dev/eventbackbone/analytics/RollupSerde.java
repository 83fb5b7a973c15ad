package dev.eventbackbone.analytics;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A rollup in the window stores and their changelogs: a format byte, count, sum, then each sketch
 * in its own library's compact form (HLL, KLL, frequent items), each prefixed by its length.
 */
public final class RollupSerde implements Serde<Rollup> {

    @Override
    public Serializer<Rollup> serializer() {
        return (topic, rollup) -> rollup == null ? null : rollup.toBytes();
    }

    @Override
    public Deserializer<Rollup> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return Rollup.fromBytes(bytes);
            } catch (RuntimeException e) {
                throw new SerializationException("Cannot read a rollup", e);
            }
        };
    }
}
