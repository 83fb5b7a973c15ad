package dev.eventbackbone.analytics;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A measure as its dead letter in {@code analytics.dlq} carries it ({@code application/x-backbone-measure}): compact binary. */
public final class MeasureSerde implements Serde<Measure> {

    @Override
    public Serializer<Measure> serializer() {
        return (topic, measure) -> measure == null ? null : bytes(measure);
    }

    @Override
    public Deserializer<Measure> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
                String tenant = in.readUTF();
                String name = in.readUTF();
                String user = in.readBoolean() ? in.readUTF() : null;
                Double value = in.readBoolean() ? in.readDouble() : null;
                long at = in.readLong();
                Map<String, String> properties = new LinkedHashMap<>();
                for (int count = in.readInt(); count > 0; count--) {
                    properties.put(in.readUTF(), in.readUTF());
                }
                return new Measure(tenant, name, user, value, at, properties);
            } catch (IOException e) {
                throw new SerializationException("Cannot read a measure", e);
            }
        };
    }

    static byte[] bytes(Measure measure) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(measure.tenantId());
            out.writeUTF(measure.name());
            out.writeBoolean(measure.userId() != null);
            if (measure.userId() != null) {
                out.writeUTF(measure.userId());
            }
            out.writeBoolean(measure.value() != null);
            if (measure.value() != null) {
                out.writeDouble(measure.value());
            }
            out.writeLong(measure.at());
            out.writeInt(measure.properties().size());
            for (Map.Entry<String, String> property : measure.properties().entrySet()) {
                out.writeUTF(property.getKey());
                out.writeUTF(property.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
