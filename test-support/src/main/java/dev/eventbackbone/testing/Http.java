package dev.eventbackbone.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Real HTTP calls over loopback as a client of our APIs makes them: JSON bodies and the API key as
 * {@code Authorization: Bearer}. Every call has a timeout, so a server that never answers fails
 * the test instead of hanging it.
 */
public final class Http {

    /** How long a call waits for the answer's headers. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Http() {
    }

    /** {@code GET url}, with the API key when it is not null. */
    public static HttpResponse<String> get(String url, String apiKey) {
        return send(authorized(HttpRequest.newBuilder(URI.create(url)).GET(), apiKey));
    }

    /**
     * {@code POST url} with a JSON body, the API key when it is not null, and extra headers given as
     * name-value pairs (they replace the defaults, e.g. {@code "Content-Type", "text/plain"}).
     */
    public static HttpResponse<String> post(String url, String apiKey, String json, String... headers) {
        HttpRequest.Builder request = authorized(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"), apiKey);
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers come in name-value pairs, got " + headers.length + " strings");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    /** Sends any request with the {@link #TIMEOUT}. */
    public static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during an HTTP call", e);
        }
    }

    /** The body of a {@code 200} answer to {@code GET url}; any other status fails with the body. */
    public static String getText(String url, String apiKey) {
        HttpResponse<String> response = get(url, apiKey);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** The JSON body of a {@code 200} answer to {@code GET url}. */
    public static JsonNode getJson(String url, String apiKey) {
        return json(getText(url, apiKey));
    }

    /** The answer's body as JSON. */
    public static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    /** The text as JSON; fails with the text when it is not. */
    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("Not JSON: " + text, e);
        }
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request, String apiKey) {
        return apiKey == null ? request : request.header("Authorization", "Bearer " + apiKey);
    }
}
