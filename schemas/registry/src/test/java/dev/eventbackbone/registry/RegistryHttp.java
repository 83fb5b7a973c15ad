package dev.eventbackbone.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.testing.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Talks to a registry over real HTTP the way Confluent's clients do: plain HTTP requests and
 * Jackson, so tests check the registry, our client and our serde independently of each other.
 */
public final class RegistryHttp {

    static final String CLIENT_ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
    static final String V1_JSON = "application/vnd.schemaregistry.v1+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;

    public RegistryHttp(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A request body {@code {"schema": "<schema>"}} as serializers send it. */
    static String schemaBody(String schema) {
        return json(Map.of("schema", schema));
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code GET /subjects}. */
    public List<String> subjects() {
        List<String> subjects = new ArrayList<>();
        ok(get("/subjects")).json().forEach(subject -> subjects.add(subject.asText()));
        return subjects;
    }

    /** The schema JSON that {@code GET /schemas/ids/{id}} returns. */
    public String schemaById(int id) {
        return ok(get("/schemas/ids/" + id)).json().path("schema").asText();
    }

    /** The id of a schema under a subject, by {@code POST /subjects/{subject}}. */
    public int idOf(String subject, String schema) {
        return ok(post("/subjects/" + subject, schemaBody(schema))).json().path("id").asInt();
    }

    private static Reply ok(Reply reply) {
        if (reply.status() != 200) {
            throw new AssertionError("The registry answered " + reply);
        }
        return reply;
    }

    Reply get(String path) {
        return send(request(path).GET());
    }

    Reply post(String path, String body) {
        return send(request(path).header("Content-Type", V1_JSON).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Reply put(String path, String body) {
        return send(request(path).header("Content-Type", V1_JSON).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    Reply send(HttpRequest.Builder request) {
        HttpResponse<String> response = Http.send(request);
        return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Accept", CLIENT_ACCEPT);
    }

    record Reply(int status, String contentType, String text) {
        JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("Response is not JSON: " + text, e);
            }
        }

        int errorCode() {
            return json().path("error_code").asInt();
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + text;
        }
    }
}
