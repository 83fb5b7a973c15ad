package dev.eventbackbone.processors.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.contracts.events.NotificationMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The generic JSON provider for SMS and push (docs/notifications.md, "Provider interface"):
 * {@code POST <url>} with {@code {idempotencyKey, channel, to, subject, body, data}}, the
 * {@code Idempotency-Key} header and a bearer token; a 2xx answer may name the provider's id as
 * {@code {"id": ...}}.
 */
final class HttpJsonProvider implements ChannelProvider {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final NotificationSettings.HttpProviderSettings settings;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();

    HttpJsonProvider(NotificationSettings.HttpProviderSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return settings.getName();
    }

    @Override
    public Outcome send(NotificationMessage message, String idempotencyKey) {
        ObjectNode body = JSON.createObjectNode();
        body.put("idempotencyKey", idempotencyKey);
        body.put("channel", message.getChannel().name().toLowerCase());
        body.put("to", message.getDestination());
        if (message.getSubject() != null) {
            body.put("subject", message.getSubject());
        }
        body.put("body", message.getBody());
        ObjectNode data = body.putObject("data");
        message.getData().forEach(data::put);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.getUrl())).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (settings.getToken() != null) {
            request.header("Authorization", "Bearer " + settings.getToken());
        }
        try {
            HttpAnswer response = ChannelProvider.exchange(client, request.build(), TIMEOUT);
            return Outcome.ofHttp(response, providerId(response.body()));
        } catch (HttpTimeoutException e) {
            return Outcome.transientFailure("timeout", name() + " did not answer within " + TIMEOUT.toSeconds()
                    + " s.", null);
        } catch (IOException e) {
            return Outcome.transientFailure("unreachable", "Cannot reach " + name() + ": " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.transientFailure("interrupted", "The worker stopped during the attempt.", null);
        }
    }

    private static String providerId(String body) {
        try {
            JsonNode answer = JSON.readTree(body == null ? "" : body);
            return answer != null && answer.hasNonNull("id") ? answer.get("id").asText() : null;
        } catch (IOException notJson) {
            return null;
        }
    }
}
