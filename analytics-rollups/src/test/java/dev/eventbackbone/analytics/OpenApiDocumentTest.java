package dev.eventbackbone.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAPI document describes exactly the query API the resource serves. */
class OpenApiDocumentTest {

    @Test
    void everyQueryOfTheResourceIsDescribedAndNothingElse() throws Exception {
        JsonNode document = new ObjectMapper().readTree(new DashboardResource().openApi());
        assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
        List<String> served = new ArrayList<>();
        String base = AnalyticsResource.class.getAnnotation(Path.class).value();
        for (Method method : AnalyticsResource.class.getMethods()) {
            if (method.isAnnotationPresent(Path.class)) {
                served.add(base + method.getAnnotation(Path.class).value());
            }
        }
        served.add("/openapi.json");
        List<String> described = new ArrayList<>();
        document.path("paths").fieldNames().forEachRemaining(described::add);
        assertThat(described).containsExactlyInAnyOrderElementsOf(served);
        assertThat(document.path("paths").path("/v1/analytics/series").path("get").path("parameters").findValues("name"))
                .extracting(JsonNode::asText).contains("name", "interval", "from", "to");
    }
}
