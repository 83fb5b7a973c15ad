package dev.eventbackbone.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.ingest.validation.JsonSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * The OpenAPI 3.1 document of the gateway: endpoints and error bodies from {@code openapi.json},
 * each stream's request body generated from its Avro schema, so the document cannot drift from the
 * schemas the gateway validates against.
 */
final class OpenApiDocument {

    /** Fields only the gateway sets. */
    static final Set<String> GATEWAY_FIELDS = Set.of("tenantId", "receivedAt", "traceparent");
    /** Fields the gateway sets unless the caller does. */
    static final Set<String> DEFAULTED_FIELDS = Set.of("eventId", "source");

    private OpenApiDocument() {
    }

    static ObjectNode build(ObjectMapper mapper) {
        ObjectNode document;
        try (InputStream in = OpenApiDocument.class.getResourceAsStream("openapi.json")) {
            document = (ObjectNode) mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.json is missing from the gateway jar", e);
        }
        ObjectNode schemas = (ObjectNode) document.path("components").path("schemas");
        ArrayNode eventSchemas = mapper.createArrayNode();
        ArrayNode streamNames = mapper.createArrayNode();
        for (IngestStream stream : IngestStream.values()) {
            String name = stream.schema().getName();
            ObjectNode schema = JsonSchemas.requestBodySchema(stream.schema(), GATEWAY_FIELDS, DEFAULTED_FIELDS, mapper);
            schema.put("title", name + " (stream " + stream.streamName() + ", topic " + stream.topic() + ")");
            schemas.set(name, schema);
            eventSchemas.addObject().put("$ref", "#/components/schemas/" + name);
            streamNames.add(stream.streamName());
        }
        ((ObjectNode) document.at("/paths/~1v1~1events~1{stream}/post/requestBody/content/application~1json/schema"))
                .set("oneOf", eventSchemas);
        ((ObjectNode) document.at("/components/parameters/stream/schema")).set("enum", streamNames);
        ((ObjectNode) document.at("/components/schemas/Batch/properties/events/items")).set("oneOf", eventSchemas.deepCopy());
        return document;
    }
}
