package dev.eventbackbone.ingest.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/** Builds the tree of {@link ValueReader}s for a schema, and holds the readers of the simple types. */
final class ValueReaders {

    private static final ValueReader STRING = new Scalar("string", JsonNodeType.STRING, JsonNode::textValue);
    private static final ValueReader BOOLEAN = new Scalar("boolean", JsonNodeType.BOOLEAN, JsonNode::booleanValue);
    private static final ValueReader DOUBLE = new Scalar("double", JsonNodeType.NUMBER, JsonNode::doubleValue);
    private static final ValueReader FLOAT = new Scalar("float", JsonNodeType.NUMBER, JsonNode::floatValue);
    private static final ValueReader NULL = new Scalar("null", JsonNodeType.NULL, node -> null);
    private static final ValueReader INT = new Integral("int", true);
    private static final ValueReader LONG = new Integral("long", false);
    private static final ValueReader TIMESTAMP_MILLIS = new TimestampMillis();
    private static final ValueReader BYTES = new Bytes();

    /** Records compiled so far, by full name, so that a record that contains itself compiles. */
    private final Map<String, RecordReader> records = new HashMap<>();

    private ValueReaders() {
    }

    static ValueReader forSchema(Schema schema) {
        return new ValueReaders().compile(schema);
    }

    private ValueReader compile(Schema schema) {
        return switch (schema.getType()) {
            case RECORD -> record(schema);
            case UNION -> new UnionReader(schema.getTypes().stream().map(this::compile).toList());
            case ARRAY -> new ArrayReader(schema, compile(schema.getElementType()));
            case MAP -> new MapReader(compile(schema.getValueType()));
            case ENUM -> new EnumReader(schema);
            case FIXED -> new FixedReader(schema);
            case STRING -> STRING;
            case BYTES -> BYTES;
            case INT -> INT;
            case LONG -> schema.getLogicalType() instanceof LogicalTypes.TimestampMillis ? TIMESTAMP_MILLIS : LONG;
            case FLOAT -> FLOAT;
            case DOUBLE -> DOUBLE;
            case BOOLEAN -> BOOLEAN;
            case NULL -> NULL;
        };
    }

    private RecordReader record(Schema schema) {
        RecordReader known = records.get(schema.getFullName());
        if (known != null) {
            return known;
        }
        RecordReader reader = new RecordReader(schema);
        records.put(schema.getFullName(), reader);
        reader.readFieldsWith(schema.getFields().stream().map(field -> compile(field.schema())).toList());
        return reader;
    }

    /** A type whose JSON form is one kind of node, converted as it is. */
    private record Scalar(String expectation, JsonNodeType kind, Function<JsonNode, Object> convert)
            implements ValueReader {

        @Override
        public Object read(JsonNode value, Conversion conversion) {
            return value.getNodeType() == kind ? convert.apply(value) : conversion.reject(expectation, value);
        }

        @Override
        public Set<JsonNodeType> kinds() {
            return Set.of(kind);
        }
    }

    /** An int or long: any JSON number with an integral value in range, so {@code 2.0} is 2 as in JSON Schema. */
    private static final class Integral implements ValueReader {

        private final String expectation;
        private final boolean isInt;
        private final long min;
        private final long max;
        private final BigDecimal minDecimal;
        private final BigDecimal maxDecimal;

        Integral(String expectation, boolean isInt) {
            this.expectation = expectation;
            this.isInt = isInt;
            this.min = isInt ? Integer.MIN_VALUE : Long.MIN_VALUE;
            this.max = isInt ? Integer.MAX_VALUE : Long.MAX_VALUE;
            this.minDecimal = BigDecimal.valueOf(min);
            this.maxDecimal = BigDecimal.valueOf(max);
        }

        @Override
        public Object read(JsonNode value, Conversion conversion) {
            if (!value.isNumber()) {
                return conversion.reject(expectation, value);
            }
            if (value.isIntegralNumber()) {
                boolean inRange = value.canConvertToLong() && value.longValue() >= min && value.longValue() <= max;
                return inRange ? box(value.longValue()) : conversion.reject(expectation, "number out of range");
            }
            if (!value.canConvertToExactIntegral()) {
                return conversion.reject(expectation, "decimal number");
            }
            BigDecimal decimal = value.decimalValue();
            boolean inRange = decimal.compareTo(minDecimal) >= 0 && decimal.compareTo(maxDecimal) <= 0;
            return inRange ? box(decimal.longValue()) : conversion.reject(expectation, "number out of range");
        }

        private Object box(long value) {
            return isInt ? (Object) (int) value : (Object) value;
        }

        @Override
        public String expectation() {
            return expectation;
        }

        @Override
        public Set<JsonNodeType> kinds() {
            return Set.of(JsonNodeType.NUMBER);
        }
    }

    /** A timestamp-millis long: epoch millis, or an ISO-8601 date-time with offset as people write them. */
    private static final class TimestampMillis implements ValueReader {

        private static final String EXPECTATION = "timestamp (epoch millis or ISO-8601 with offset)";
        /** Longer text is not echoed back: it is no timestamp anyway and would bloat the error. */
        private static final int MAX_ECHOED_LENGTH = 64;

        private final Integral epochMillis = new Integral(EXPECTATION, false);

        @Override
        public Object read(JsonNode value, Conversion conversion) {
            if (!value.isTextual()) {
                return epochMillis.read(value, conversion);
            }
            String text = value.textValue();
            try {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            } catch (DateTimeException | ArithmeticException notATimestamp) {
                String got = text.length() <= MAX_ECHOED_LENGTH
                        ? "\"" + text + "\""
                        : "string of " + text.length() + " characters";
                return conversion.reject(EXPECTATION, got);
            }
        }

        @Override
        public String expectation() {
            return EXPECTATION;
        }

        @Override
        public Set<JsonNodeType> kinds() {
            return Set.of(JsonNodeType.NUMBER, JsonNodeType.STRING);
        }
    }

    /** Bytes as a base64 string, the way Jackson writes a byte array. */
    private static final class Bytes implements ValueReader {

        @Override
        public Object read(JsonNode value, Conversion conversion) {
            if (!value.isTextual()) {
                return conversion.reject(expectation(), value);
            }
            try {
                return ByteBuffer.wrap(Base64.getDecoder().decode(value.textValue()));
            } catch (IllegalArgumentException notBase64) {
                return conversion.reject(expectation(), "string that is not base64");
            }
        }

        @Override
        public String expectation() {
            return "base64 string";
        }

        @Override
        public Set<JsonNodeType> kinds() {
            return Set.of(JsonNodeType.STRING);
        }
    }

    /** A fixed as a base64 string of exactly its size. */
    private static final class FixedReader implements ValueReader {

        private final Schema schema;
        private final String expectation;

        FixedReader(Schema schema) {
            this.schema = schema;
            this.expectation = schema.getName() + " (" + schema.getFixedSize() + " bytes as base64 string)";
        }

        @Override
        public Object read(JsonNode value, Conversion conversion) {
            if (!value.isTextual()) {
                return conversion.reject(expectation, value);
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(value.textValue());
            } catch (IllegalArgumentException notBase64) {
                return conversion.reject(expectation, "string that is not base64");
            }
            if (bytes.length != schema.getFixedSize()) {
                return conversion.reject(expectation, bytes.length + " bytes");
            }
            return new GenericData.Fixed(schema, bytes);
        }

        @Override
        public String expectation() {
            return expectation;
        }

        @Override
        public Set<JsonNodeType> kinds() {
            return Set.of(JsonNodeType.STRING);
        }
    }

    private static final class EnumReader implements ValueReader {

        private final String expectation;
        private final String notASymbol;
        /** Symbols are immutable, so one instance per symbol serves every event. */
        private final Map<String, GenericData.EnumSymbol> symbols = new HashMap<>();

        EnumReader(Schema schema) {
            List<String> accepted = AcceptedSymbols.of(schema);
            this.expectation = schema.getName();
            this.notASymbol = "expected one of " + accepted;
            accepted.forEach(symbol -> symbols.put(symbol, new GenericData.EnumSymbol(schema, symbol)));
        }

        @Override
        public Object read(JsonNode value, Conversion conversion) {
            if (!value.isTextual()) {
                return conversion.reject(expectation, value);
            }
            GenericData.EnumSymbol symbol = symbols.get(value.textValue());
            return symbol != null ? symbol : conversion.fail(notASymbol);
        }

        @Override
        public String expectation() {
            return expectation;
        }

        @Override
        public Set<JsonNodeType> kinds() {
            return Set.of(JsonNodeType.STRING);
        }
    }

    private record ArrayReader(Schema schema, ValueReader elements) implements ValueReader {

        @Override
        public Object read(JsonNode value, Conversion conversion) {
            if (!value.isArray()) {
                return conversion.reject(expectation(), value);
            }
            GenericData.Array<Object> array = new GenericData.Array<>(value.size(), schema);
            for (int index = 0; index < value.size() && !conversion.full(); index++) {
                conversion.enterIndex(index);
                array.add(elements.read(value.get(index), conversion));
                conversion.leave();
            }
            return array;
        }

        @Override
        public String expectation() {
            return "array";
        }

        @Override
        public Set<JsonNodeType> kinds() {
            return Set.of(JsonNodeType.ARRAY);
        }
    }

    private record MapReader(ValueReader values) implements ValueReader {

        @Override
        public Object read(JsonNode value, Conversion conversion) {
            if (!value.isObject()) {
                return conversion.reject(expectation(), value);
            }
            // Sized so that it never rehashes; kept in the caller's order, which audit keeps verbatim.
            Map<String, Object> map = new LinkedHashMap<>((int) (value.size() / 0.75f) + 1);
            for (Map.Entry<String, JsonNode> entry : value.properties()) {
                if (conversion.full()) {
                    break;
                }
                conversion.enterMapKey(entry.getKey());
                map.put(entry.getKey(), values.read(entry.getValue(), conversion));
                conversion.leave();
            }
            return map;
        }

        @Override
        public String expectation() {
            return "map";
        }

        @Override
        public Set<JsonNodeType> kinds() {
            return Set.of(JsonNodeType.OBJECT);
        }
    }
}
