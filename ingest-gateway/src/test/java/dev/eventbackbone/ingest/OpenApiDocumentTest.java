package dev.eventbackbone.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Keeps the OpenAPI document in step with the resources and the streams' schemas. */
class OpenApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectNode DOCUMENT = OpenApiDocument.build(JSON);

    /** {@code "post /v1/events/{stream}"} for every resource method. */
    private static Set<String> resourceOperations() {
        Set<String> operations = new TreeSet<>();
        for (Class<?> resource : List.of(EventsResource.class, MetadataResource.class)) {
            String base = resource.getAnnotation(Path.class).value();
            for (Method method : resource.getDeclaredMethods()) {
                String verb = method.isAnnotationPresent(POST.class) ? HttpMethod.POST
                        : method.isAnnotationPresent(GET.class) ? HttpMethod.GET : null;
                if (verb == null) {
                    continue;
                }
                Path sub = method.getAnnotation(Path.class);
                String path = ("/" + base + "/" + (sub == null ? "" : sub.value())).replaceAll("/+", "/");
                operations.add(verb.toLowerCase() + " " + (path.length() > 1 ? path.replaceAll("/$", "") : path));
            }
        }
        return operations;
    }

    @Test
    void documentsExactlyTheOperationsTheResourcesServe() {
        Set<String> documented = new TreeSet<>();
        DOCUMENT.get("paths").fields().forEachRemaining(path ->
                path.getValue().fieldNames().forEachRemaining(verb -> documented.add(verb + " " + path.getKey())));
        assertThat(documented).isEqualTo(resourceOperations());
    }

    @Test
    void documentsEveryStatusOfTheIngestContractWithAnErrorBody() {
        for (String path : List.of("/v1/events/{stream}", "/v1/events/{stream}/batch")) {
            JsonNode responses = DOCUMENT.get("paths").get(path).get("post").get("responses");
            List<String> statuses = new ArrayList<>();
            responses.fieldNames().forEachRemaining(statuses::add);
            assertThat(statuses).as(path).contains("202", "400", "401", "403", "404", "413", "415", "422", "429", "503");
        }
        assertThat(DOCUMENT.at("/paths/~1v1~1events~1{stream}~1batch/post/responses/207")).isNotNull();
        assertThat(DOCUMENT.at("/components/responses/RateLimited/headers/Retry-After").isMissingNode()).isFalse();
        assertThat(DOCUMENT.at("/components/schemas/Error/required").toString()).contains("error", "message");
    }

    @Test
    void requestBodyOfEveryStreamIsItsAvroSchemaWithoutTheFieldsOnlyTheGatewaySets() {
        for (IngestStream stream : IngestStream.values()) {
            JsonNode schema = DOCUMENT.get("components").get("schemas").get(stream.schema().getName());
            assertThat(schema).as(stream.streamName()).isNotNull();
            Set<String> properties = new TreeSet<>();
            schema.get("properties").fieldNames().forEachRemaining(properties::add);
            Set<String> expected = new TreeSet<>();
            for (Schema.Field field : stream.schema().getFields()) {
                expected.add(field.name());
            }
            expected.removeAll(OpenApiDocument.GATEWAY_FIELDS);
            assertThat(properties).as(stream.streamName()).isEqualTo(expected);
            assertThat(schema.get("required").toString()).doesNotContain("\"eventId\"", "\"source\"");
            assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
        }
        assertThat(DOCUMENT.at("/components/parameters/stream/schema/enum").toString())
                .isEqualTo("[\"audit\",\"orders\",\"inventory\",\"notifications\",\"preferences\",\"analytics\"]");
    }
}
