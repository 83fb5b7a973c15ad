package dev.eventbackbone.contracts.serde;

import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;

/** The Avro schema of a Java value, and the Java shapes of primitives that callers expect. */
final class AvroValues {

    private AvroValues() {
    }

    static Schema schemaOf(Object value, String topic) {
        if (value instanceof GenericContainer container) {
            return container.getSchema();
        }
        if (value instanceof CharSequence) {
            return Schema.create(Schema.Type.STRING);
        }
        if (value instanceof Integer) {
            return Schema.create(Schema.Type.INT);
        }
        if (value instanceof Long) {
            return Schema.create(Schema.Type.LONG);
        }
        if (value instanceof Float) {
            return Schema.create(Schema.Type.FLOAT);
        }
        if (value instanceof Double) {
            return Schema.create(Schema.Type.DOUBLE);
        }
        if (value instanceof Boolean) {
            return Schema.create(Schema.Type.BOOLEAN);
        }
        if (value instanceof byte[] || value instanceof ByteBuffer) {
            return Schema.create(Schema.Type.BYTES);
        }
        throw new SerializationException("Cannot write a " + value.getClass().getName() + " for topic '" + topic
                + "' as Avro: pass a generated SpecificRecord, a GenericRecord (or other GenericContainer), or an"
                + " Avro primitive (String, Integer, Long, Float, Double, Boolean, byte[], ByteBuffer).");
    }

    /** Avro's writers take bytes as a ByteBuffer. */
    static Object forWriting(Object value) {
        return value instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : value;
    }

    /** A top-level primitive as callers of a Kafka deserializer expect it: String, not Utf8; byte[], not ByteBuffer. */
    static Object forReading(Object value) {
        if (value instanceof Utf8 text) {
            return text.toString();
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        return value;
    }
}
