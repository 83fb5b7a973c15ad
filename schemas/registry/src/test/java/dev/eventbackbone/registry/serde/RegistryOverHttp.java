package dev.eventbackbone.registry.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The registry asked with a plain HTTP client and Jackson, so that tests check our client and serde independently. */
final class RegistryOverHttp {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RegistryOverHttp() {
    }

    static List<String> subjects(String url) {
        List<String> subjects = new ArrayList<>();
        send(HttpRequest.newBuilder(URI.create(url + "/subjects")).GET()).forEach(s -> subjects.add(s.asText()));
        return subjects;
    }

    /** The schema JSON that {@code GET /schemas/ids/{id}} returns. */
    static String schemaById(String url, int id) {
        return send(HttpRequest.newBuilder(URI.create(url + "/schemas/ids/" + id)).GET()).path("schema").asText();
    }

    /** The id of a schema under a subject, by {@code POST /subjects/{subject}}. */
    static int idOf(String url, String subject, String schema) {
        try {
            String body = JSON.writeValueAsString(Map.of("schema", schema));
            return send(HttpRequest.newBuilder(URI.create(url + "/subjects/" + subject))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))).path("id").asInt();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError(response.request().uri() + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
