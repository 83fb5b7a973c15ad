package dev.eventbackbone.ingest.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * JSON Schema, in the subset OpenAPI 3.1 uses, for the request bodies {@link JsonRecordReader} accepts,
 * so the published API document and the gateway's validation come from the same Avro schema.
 */
public final class JsonSchemas {

    private JsonSchemas() {
    }

    /**
     * The schema of a request body for events of {@code recordSchema}.
     *
     * @param hiddenFields top-level fields only the gateway sets (tenant, receive time): left out entirely
     * @param optionalFields top-level fields the gateway fills in when the caller leaves them out (event id,
     *     source): described, but not required
     */
    public static ObjectNode requestBodySchema(Schema recordSchema, Set<String> hiddenFields,
            Set<String> optionalFields, ObjectMapper mapper) {
        if (recordSchema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("A request body schema comes from a record, not "
                    + recordSchema.getType() + ": " + recordSchema.getFullName());
        }
        Stream.concat(hiddenFields.stream(), optionalFields.stream())
                .filter(name -> recordSchema.getField(name) == null)
                .findFirst()
                .ifPresent(name -> {
                    throw new IllegalArgumentException(recordSchema.getName() + " has no field " + name);
                });
        return new Generator(mapper).record(recordSchema, hiddenFields, optionalFields);
    }

    private static final class Generator {

        private final ObjectMapper mapper;
        /** Records being described, to stop at a record that contains itself instead of recursing forever. */
        private final Set<String> recordsInProgress = new HashSet<>();

        Generator(ObjectMapper mapper) {
            this.mapper = mapper;
        }

        ObjectNode record(Schema schema, Set<String> hiddenFields, Set<String> optionalFields) {
            if (!recordsInProgress.add(schema.getFullName())) {
                return type("object");
            }
            ObjectNode record = type("object");
            ObjectNode properties = record.putObject("properties");
            ArrayNode required = mapper.createArrayNode();
            for (Schema.Field field : schema.getFields()) {
                if (hiddenFields.contains(field.name())) {
                    continue;
                }
                ObjectNode property = of(field.schema());
                describe(property, field.doc());
                properties.set(field.name(), property);
                if (!field.hasDefaultValue() && !optionalFields.contains(field.name())) {
                    required.add(field.name());
                }
            }
            if (!required.isEmpty()) {
                record.set("required", required);
            }
            record.put("additionalProperties", false);
            describe(record, schema.getDoc());
            recordsInProgress.remove(schema.getFullName());
            return record;
        }

        private ObjectNode of(Schema schema) {
            return switch (schema.getType()) {
                case RECORD -> record(schema, Set.of(), Set.of());
                case UNION -> union(schema.getTypes());
                case ARRAY -> container("array", "items", of(schema.getElementType()));
                case MAP -> container("object", "additionalProperties", of(schema.getValueType()));
                case ENUM -> enumeration(schema);
                case STRING -> type("string");
                case BYTES, FIXED -> type("string").put("contentEncoding", "base64");
                case INT -> type("integer").put("format", "int32");
                case LONG -> schema.getLogicalType() instanceof LogicalTypes.TimestampMillis
                        ? timestampMillis()
                        : type("integer").put("format", "int64");
                case FLOAT -> type("number").put("format", "float");
                case DOUBLE -> type("number").put("format", "double");
                case BOOLEAN -> type("boolean");
                case NULL -> type("null");
            };
        }

        private ObjectNode timestampMillis() {
            ObjectNode timestamp = mapper.createObjectNode();
            timestamp.putArray("oneOf")
                    .add(type("integer").put("format", "int64").put("description", "UTC epoch milliseconds"))
                    .add(type("string").put("format", "date-time"));
            return timestamp;
        }

        private ObjectNode enumeration(Schema schema) {
            ObjectNode enumeration = type("string");
            ArrayNode symbols = enumeration.putArray("enum");
            AcceptedSymbols.of(schema).forEach(symbols::add);
            describe(enumeration, schema.getDoc());
            return enumeration;
        }

        /**
         * {@code ["null", X]} with a simple X widens X's type to {@code [X, "null"]}, which every tool
         * renders well; anything else becomes {@code oneOf}, with nested alternatives (a nullable
         * timestamp) flattened into it.
         */
        private ObjectNode union(List<Schema> branches) {
            List<ObjectNode> alternatives = new ArrayList<>();
            boolean nullable = false;
            for (Schema branch : branches) {
                if (branch.getType() == Schema.Type.NULL) {
                    nullable = true;
                    continue;
                }
                ObjectNode alternative = of(branch);
                if (alternative.size() == 1 && alternative.has("oneOf")) {
                    alternative.get("oneOf").forEach(nested -> alternatives.add((ObjectNode) nested));
                } else {
                    alternatives.add(alternative);
                }
            }
            if (nullable && alternatives.size() == 1 && isSimple(alternatives.get(0))) {
                return withNull(alternatives.get(0));
            }
            if (nullable) {
                alternatives.add(type("null"));
            }
            ObjectNode union = mapper.createObjectNode();
            union.putArray("oneOf").addAll(alternatives);
            return union;
        }

        private static boolean isSimple(ObjectNode schema) {
            JsonNode type = schema.get("type");
            return type != null && type.isTextual() && !type.textValue().equals("object")
                    && !type.textValue().equals("array");
        }

        private ObjectNode withNull(ObjectNode simple) {
            String type = simple.get("type").textValue();
            simple.putArray("type").add(type).add("null");
            if (simple.has("enum")) {
                // enum is checked on its own, so without null in it a null would still fail.
                ((ArrayNode) simple.get("enum")).addNull();
            }
            return simple;
        }

        private ObjectNode container(String type, String contentKeyword, ObjectNode content) {
            ObjectNode container = type(type);
            container.set(contentKeyword, content);
            return container;
        }

        private ObjectNode type(String type) {
            return mapper.createObjectNode().put("type", type);
        }

        private static void describe(ObjectNode schema, String doc) {
            if (doc != null) {
                schema.put("description", doc);
            }
        }
    }
}
