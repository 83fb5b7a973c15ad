package dev.eventbackbone.processors.notifications;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;
import dev.eventbackbone.contracts.events.NotificationMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Webhooks as Standard Webhooks: {@code webhook-id} (the idempotency key, the same on every
 * attempt), {@code webhook-timestamp} (this attempt's time) and {@code webhook-signature}, one
 * {@code v1,<base64 HMAC-SHA256>} per secret of the tenant so receivers keep verifying while a
 * secret rotates. A 410 Gone is final and disables the endpoint (errorCode {@value #GONE}).
 */
final class WebhookProvider implements ChannelProvider {

    /** The errorCode of a 410 answer, after which the fan-out sends nothing more to that URL. */
    static final String GONE = "410";

    private final HttpClient client;
    private final Duration timeout;
    private final Map<String, List<String>> secrets;
    private final Clock clock;

    WebhookProvider(NotificationSettings.WebhookSettings settings, Clock clock) {
        this.timeout = settings.getTimeout().toJavaDuration();
        this.secrets = settings.getSecrets();
        this.clock = clock;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public Outcome send(NotificationMessage message, String idempotencyKey) {
        List<String> tenantSecrets = secrets.getOrDefault(message.getTenantId(), List.of());
        if (tenantSecrets.isEmpty()) {
            return Outcome.permanentFailure("no_signing_secret", "Tenant " + message.getTenantId()
                    + " has no webhook secret (notifications.webhook.secrets); nothing is sent unsigned.");
        }
        long timestamp = clock.instant().getEpochSecond();
        String signature;
        try {
            signature = signatures(tenantSecrets, idempotencyKey, timestamp, message.getBody());
        } catch (WebhookSigningException | IllegalArgumentException e) {
            return Outcome.permanentFailure("bad_signing_secret", "A webhook secret of tenant "
                    + message.getTenantId() + " cannot sign: " + e.getMessage());
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(message.getDestination())).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("webhook-id", idempotencyKey)
                .header("webhook-timestamp", String.valueOf(timestamp))
                .header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(message.getBody(), StandardCharsets.UTF_8))
                .build();
        try {
            HttpAnswer response = ChannelProvider.exchange(client, request, timeout);
            if (response.status() == 410) {
                return Outcome.permanentFailure(GONE, "The endpoint answered 410 Gone: it is disabled.");
            }
            return Outcome.ofHttp(response, idempotencyKey);
        } catch (HttpTimeoutException e) {
            return Outcome.transientFailure("timeout", "No answer within " + timeout.toMillis() + " ms.", null);
        } catch (IOException e) {
            return Outcome.transientFailure("unreachable", "Cannot reach " + message.getDestination() + ": "
                    + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.transientFailure("interrupted", "The worker stopped during the attempt.", null);
        }
    }

    static String signatures(List<String> secrets, String id, long timestamp, String payload)
            throws WebhookSigningException {
        List<String> signatures = new ArrayList<>();
        for (String secret : secrets) {
            signatures.add(new Webhook(secret).sign(id, timestamp, payload));
        }
        return String.join(" ", signatures);
    }
}
