package dev.eventbackbone.processors.notifications;

import dev.eventbackbone.contracts.events.NotificationMessage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * One way to deliver a channel's messages (an SMTP server, a webhook sender, an HTTP SMS or push
 * provider). {@link #send} makes one attempt and says how it went; it never retries by itself:
 * the worker decides on retries, failover and dead letters.
 */
interface ChannelProvider extends AutoCloseable {

    /** How an attempt went. */
    enum Kind { DELIVERED, TRANSIENT, PERMANENT }

    /**
     * An attempt's outcome. {@code retryAfter} is what a 429 or 503 asked for, if anything;
     * {@code errorCode} is machine-readable (an HTTP status, an SMTP reply code, or a word).
     */
    record Outcome(Kind kind, String providerMessageId, String errorCode, String error, Duration retryAfter) {

        static Outcome delivered(String providerMessageId) {
            return new Outcome(Kind.DELIVERED, providerMessageId, null, null, null);
        }

        static Outcome transientFailure(String errorCode, String error, Duration retryAfter) {
            return new Outcome(Kind.TRANSIENT, null, errorCode, error, retryAfter);
        }

        static Outcome permanentFailure(String errorCode, String error) {
            return new Outcome(Kind.PERMANENT, null, errorCode, error, null);
        }

        /**
         * An HTTP answer: 2xx delivered; 408, 429 and 5xx transient (with {@code Retry-After});
         * any other status permanent.
         */
        static Outcome ofHttp(HttpResponse<String> response, String providerMessageId) {
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return delivered(providerMessageId);
            }
            String error = "HTTP " + status + (response.body() == null || response.body().isBlank() ? ""
                    : ": " + abbreviate(response.body()));
            if (status == 408 || status == 429 || status >= 500) {
                return transientFailure(String.valueOf(status), error,
                        response.headers().firstValue("Retry-After").flatMap(Outcome::retryAfter).orElse(null));
            }
            return permanentFailure(String.valueOf(status), error);
        }

        /** {@code Retry-After} as seconds or an HTTP date. */
        static Optional<Duration> retryAfter(String value) {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
            } catch (NumberFormatException notSeconds) {
                try {
                    ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                    Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                    return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
                } catch (DateTimeParseException notADate) {
                    return Optional.empty();
                }
            }
        }

        private static String abbreviate(String body) {
            return body.length() <= 200 ? body : body.substring(0, 200) + "...";
        }
    }

    /** The provider's name in results, e.g. {@code smtp:mail.example.com:587}. */
    String name();

    Outcome send(NotificationMessage message, String idempotencyKey);

    @Override
    default void close() {
    }
}
