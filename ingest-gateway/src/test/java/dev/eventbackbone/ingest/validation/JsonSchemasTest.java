package dev.eventbackbone.ingest.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.contracts.events.AnalyticsEvent;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.ingest.validation.JsonRecordReader.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class JsonSchemasTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> HIDDEN = Set.of("tenantId", "receivedAt", "traceparent");
    private static final Set<String> OPTIONAL = Set.of("eventId", "source");
    private static final List<Schema> INGEST_SCHEMAS = List.of(AuditRawEvent.getClassSchema(),
            OrderCommand.getClassSchema(), NotificationRequest.getClassSchema(), AnalyticsEvent.getClassSchema());

    @Test
    void requiresFieldsWithoutDefaultExceptOptionalOnes() {
        ObjectNode order = bodySchema(OrderCommand.getClassSchema());

        assertThat(texts(order.get("required"))).containsExactly("commandId", "type", "customerId");
        assertThat(texts(order.at("/properties/items/items/required"))).containsExactly("sku", "quantity", "unitPriceMinor");
    }

    @Test
    void leavesHiddenFieldsOutAndKeepsOptionalOnesDescribed() {
        ObjectNode properties = (ObjectNode) bodySchema(OrderCommand.getClassSchema()).get("properties");

        assertThat(properties.has("tenantId")).isFalse();
        assertThat(properties.has("receivedAt")).isFalse();
        assertThat(properties.has("traceparent")).isFalse();
        assertThat(properties.has("eventId")).isTrue();
        assertThat(properties.has("source")).isTrue();
    }

    @Test
    void forbidsAdditionalPropertiesInEveryRecord() {
        ObjectNode audit = bodySchema(AuditRawEvent.getClassSchema());

        assertThat(audit.get("additionalProperties").booleanValue()).isFalse();
        assertThat(audit.at("/properties/resource/additionalProperties").booleanValue()).isFalse();
        assertThat(audit.at("/properties/actor/oneOf/1/additionalProperties").booleanValue()).isFalse();
        assertThat(bodySchema(OrderCommand.getClassSchema()).at("/properties/items/items/additionalProperties")
                .booleanValue()).isFalse();
    }

    @Test
    void everyFieldOfEveryIngestSchemaAppearsExceptHiddenOnes() {
        for (Schema schema : INGEST_SCHEMAS) {
            ObjectNode body = bodySchema(schema);

            List<String> expected = schema.getFields().stream().map(Schema.Field::name)
                    .filter(name -> !HIDDEN.contains(name)).toList();
            assertThat(fieldNames(body.get("properties"))).as(schema.getName()).containsExactlyElementsOf(expected);
            for (Schema.Field field : schema.getFields()) {
                if (!HIDDEN.contains(field.name())) {
                    assertDescribesEveryNestedField(field.schema(), body.get("properties").get(field.name()));
                }
            }
        }
    }

    @Test
    void requiresExactlyWhatTheReaderRequires() {
        for (Schema schema : INGEST_SCHEMAS) {
            Result result = new JsonRecordReader(schema).read(MAPPER.createObjectNode());

            List<String> requiredByReader = ((Result.Rejected) result).errors().stream()
                    .filter(error -> error.message().equals("required")).map(FieldError::path).toList();
            JsonNode required = JsonSchemas.requestBodySchema(schema, Set.of(), Set.of(), MAPPER).get("required");
            assertThat(texts(required)).as(schema.getName()).containsExactlyElementsOf(requiredByReader);
        }
    }

    @Test
    void describesRecordsAndFieldsWithTheirDocs() {
        ObjectNode order = bodySchema(OrderCommand.getClassSchema());

        assertThat(order.get("description").textValue()).isEqualTo(OrderCommand.getClassSchema().getDoc());
        assertThat(order.at("/properties/customerId/description").textValue())
                .isEqualTo(OrderCommand.getClassSchema().getField("customerId").doc());
        assertThat(order.at("/properties/items/items/description").textValue()).startsWith("One line of an order");
    }

    @Test
    void describesIntegersAndDoublesWithTheirFormats() {
        ObjectNode item = (ObjectNode) bodySchema(OrderCommand.getClassSchema()).at("/properties/items/items/properties");

        assertThat(withoutDescription(item.get("quantity"))).isEqualTo(json("{'type':'integer','format':'int32'}"));
        assertThat(withoutDescription(item.get("unitPriceMinor"))).isEqualTo(json("{'type':'integer','format':'int64'}"));
        assertThat(withoutDescription(bodySchema(AnalyticsEvent.getClassSchema()).at("/properties/value")))
                .isEqualTo(json("{'type':['number','null'],'format':'double'}"));
    }

    @Test
    void describesNullableSimpleTypesAsTypeWithNull() {
        ObjectNode order = bodySchema(OrderCommand.getClassSchema());

        assertThat(withoutDescription(order.at("/properties/orderId"))).isEqualTo(json("{'type':['string','null']}"));
    }

    @Test
    void describesTimestampsAsEpochMillisOrDateTime() {
        JsonNode request = JsonSchemas.requestBodySchema(NotificationRequest.getClassSchema(), Set.of(), Set.of(), MAPPER);

        assertThat(types(request.at("/properties/receivedAt/oneOf"))).containsExactly("integer/int64", "string/date-time");
        assertThat(types(request.at("/properties/notBefore/oneOf")))
                .containsExactly("integer/int64", "string/date-time", "null");
    }

    @Test
    void describesEnumsByTheSymbolsCallersMaySend() {
        ObjectNode request = bodySchema(NotificationRequest.getClassSchema());

        assertThat(request.at("/properties/priority/type").textValue()).isEqualTo("string");
        assertThat(texts(request.at("/properties/priority/enum"))).containsExactly("LOW", "NORMAL", "HIGH", "CRITICAL");
        assertThat(texts(request.at("/properties/channels/items/enum"))).containsExactly("EMAIL", "SMS", "PUSH", "WEBHOOK");
        assertThat(request.at("/properties/channels/type").textValue()).isEqualTo("array");
    }

    @Test
    void addsNullToTheSymbolsOfANullableEnum() {
        Schema schema = new Schema.Parser().parse("""
                {"type":"record","name":"Sample","fields":[
                  {"name":"colour","type":["null",{"type":"enum","name":"Colour","symbols":["RED","BLUE"]}]}]}""");

        JsonNode colour = JsonSchemas.requestBodySchema(schema, Set.of(), Set.of(), MAPPER).at("/properties/colour");

        assertThat(colour).isEqualTo(json("{'type':['string','null'],'enum':['RED','BLUE',null]}"));
    }

    @Test
    void describesGeneralUnionsAsOneOf() {
        ObjectNode audit = bodySchema(AuditRawEvent.getClassSchema());

        assertThat(types(audit.at("/properties/actor/oneOf"))).containsExactly("string", "object");
        assertThat(types(audit.at("/properties/occurredAt/oneOf"))).containsExactly("integer/int64", "string", "null");
        assertThat(types(bodySchema(OrderCommand.getClassSchema()).at("/properties/items/items/properties/name/type")))
                .containsExactly("string", "null");
    }

    @Test
    void describesMapsByTheirValues() {
        JsonNode metadata = bodySchema(AuditRawEvent.getClassSchema()).at("/properties/metadata");

        assertThat(metadata.get("type").textValue()).isEqualTo("object");
        assertThat(metadata.get("additionalProperties")).isEqualTo(json("{'type':'string'}"));
    }

    @Test
    void describesBytesAsBase64Strings() {
        Schema schema = new Schema.Parser().parse("""
                {"type":"record","name":"Sample","fields":[{"name":"payload","type":"bytes"}]}""");

        assertThat(JsonSchemas.requestBodySchema(schema, Set.of(), Set.of(), MAPPER).at("/properties/payload"))
                .isEqualTo(json("{'type':'string','contentEncoding':'base64'}"));
    }

    @Test
    void stopsAtARecordThatContainsItself() {
        Schema schema = new Schema.Parser().parse("""
                {"type":"record","name":"Step","fields":[
                  {"name":"value","type":"int"},
                  {"name":"next","type":["null","Step"],"default":null}]}""");

        JsonNode next = JsonSchemas.requestBodySchema(schema, Set.of(), Set.of(), MAPPER).at("/properties/next");

        assertThat(next).isEqualTo(json("{'oneOf':[{'type':'object'},{'type':'null'}]}"));
    }

    @Test
    void refusesHiddenOrOptionalNamesThatAreNoFields() {
        assertThatThrownBy(() -> JsonSchemas.requestBodySchema(OrderCommand.getClassSchema(), Set.of("tenant"),
                Set.of(), MAPPER)).isInstanceOf(IllegalArgumentException.class).hasMessage("OrderCommand has no field tenant");
        assertThatThrownBy(() -> JsonSchemas.requestBodySchema(OrderCommand.getClassSchema(), Set.of(),
                Set.of("id"), MAPPER)).isInstanceOf(IllegalArgumentException.class).hasMessage("OrderCommand has no field id");
    }

    /** Follows the Avro type into the JSON Schema and checks each record in it lists all its fields. */
    private static void assertDescribesEveryNestedField(Schema avro, JsonNode json) {
        switch (avro.getType()) {
            case RECORD -> {
                List<String> fields = avro.getFields().stream().map(Schema.Field::name).toList();
                assertThat(fieldNames(json.get("properties"))).as(avro.getName()).containsExactlyElementsOf(fields);
                avro.getFields().forEach(field ->
                        assertDescribesEveryNestedField(field.schema(), json.get("properties").get(field.name())));
            }
            case ARRAY -> assertDescribesEveryNestedField(avro.getElementType(), json.get("items"));
            case MAP -> assertDescribesEveryNestedField(avro.getValueType(), json.get("additionalProperties"));
            case UNION -> avro.getTypes().stream().filter(branch -> branch.getType() == Schema.Type.RECORD)
                    .forEach(record -> assertDescribesEveryNestedField(record, objectAlternative(json)));
            default -> {
            }
        }
    }

    private static JsonNode objectAlternative(JsonNode union) {
        return StreamSupport.stream(union.get("oneOf").spliterator(), false)
                .filter(alternative -> alternative.path("type").asText().equals("object"))
                .findFirst().orElseThrow();
    }

    private static ObjectNode bodySchema(Schema schema) {
        return JsonSchemas.requestBodySchema(schema, HIDDEN, OPTIONAL, MAPPER);
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    /** "integer/int64" for a schema with a format, the bare type otherwise. */
    private static List<String> types(JsonNode alternatives) {
        return StreamSupport.stream(alternatives.spliterator(), false)
                .map(node -> node.isTextual() ? node.textValue()
                        : node.get("type").asText() + (node.has("format") ? "/" + node.get("format").asText() : ""))
                .toList();
    }

    private static JsonNode withoutDescription(JsonNode schema) {
        return ((ObjectNode) schema.deepCopy()).without("description");
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
