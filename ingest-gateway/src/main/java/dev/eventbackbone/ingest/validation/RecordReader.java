package dev.eventbackbone.ingest.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.util.Utf8;

/**
 * A record from a JSON object: every field from its property, its default, or an error; every
 * property that is not a field is an error too, since dropping it would lose what the caller sent.
 */
final class RecordReader implements ValueReader {

    private final Schema schema;
    private final String expectation;
    /** Set once, right after construction, because a field may refer back to this record. */
    private FieldReader[] fields;

    RecordReader(Schema schema) {
        this.schema = schema;
        this.expectation = schema.getName() + " object";
    }

    void readFieldsWith(List<ValueReader> readers) {
        List<Schema.Field> schemaFields = schema.getFields();
        FieldReader[] compiled = new FieldReader[schemaFields.size()];
        for (int i = 0; i < compiled.length; i++) {
            Schema.Field field = schemaFields.get(i);
            compiled[i] = new FieldReader(field.name(), field.pos(), readers.get(i), defaultOf(field));
        }
        fields = compiled;
    }

    @Override
    public Object read(JsonNode value, Conversion conversion) {
        if (!value.isObject()) {
            return conversion.reject(expectation, value);
        }
        GenericData.Record record = new GenericData.Record(schema);
        int matched = 0;
        for (FieldReader field : fields) {
            JsonNode fieldValue = value.get(field.name());
            conversion.enterField(field.name());
            if (fieldValue != null) {
                matched++;
                record.put(field.position(), field.reader().read(fieldValue, conversion));
            } else if (field.defaultValue() != null) {
                record.put(field.position(), field.defaultValue().get());
            } else {
                conversion.fail("required");
            }
            conversion.leave();
        }
        if (matched < value.size()) {
            reportUnknownFields(value, conversion);
        }
        return record;
    }

    private void reportUnknownFields(JsonNode value, Conversion conversion) {
        for (Map.Entry<String, JsonNode> property : value.properties()) {
            if (schema.getField(property.getKey()) == null) {
                conversion.enterField(property.getKey());
                conversion.fail("unknown field");
                conversion.leave();
            }
        }
    }

    @Override
    public String expectation() {
        return expectation;
    }

    @Override
    public Set<JsonNodeType> kinds() {
        return Set.of(JsonNodeType.OBJECT);
    }

    /** The field's default as GenericData reads it, or null when the field has none and is required. */
    private static Supplier<Object> defaultOf(Schema.Field field) {
        if (!field.hasDefaultValue()) {
            return null;
        }
        Object value = GenericData.get().getDefaultValue(field);
        if (isMutable(value)) {
            // GenericData hands out one cached instance; each event gets its own so none can change another.
            return () -> GenericData.get().deepCopy(field.schema(), value);
        }
        return () -> value;
    }

    private static boolean isMutable(Object value) {
        return value instanceof Collection || value instanceof Map || value instanceof IndexedRecord
                || value instanceof ByteBuffer || value instanceof GenericFixed || value instanceof Utf8;
    }

    private record FieldReader(String name, int position, ValueReader reader, Supplier<Object> defaultValue) {
    }
}
