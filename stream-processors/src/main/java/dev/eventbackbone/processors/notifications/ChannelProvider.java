package dev.eventbackbone.processors.notifications;

import dev.eventbackbone.contracts.events.NotificationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
        static Outcome ofHttp(HttpAnswer answer, String providerMessageId) {
            int status = answer.status();
            String body = answer.body();
            if (status >= 200 && status < 300) {
                return delivered(providerMessageId);
            }
            String error = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body));
            if (status == 408 || status == 429 || status >= 500) {
                return transientFailure(String.valueOf(status), error,
                        answer.headers().firstValue("Retry-After").flatMap(Outcome::retryAfter).orElse(null));
            }
            return permanentFailure(String.valueOf(status), error);
        }

        /**
         * {@code Retry-After} as seconds or an HTTP date, at most {@link #LONGEST_RETRY_AFTER}: a
         * receiver cannot park a message for years (nor overflow the arithmetic) by asking.
         */
        static Optional<Duration> retryAfter(String value) {
            Duration asked;
            try {
                asked = Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
            } catch (NumberFormatException | ArithmeticException notSeconds) {
                try {
                    ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                    Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                    asked = wait.isNegative() ? Duration.ZERO : wait;
                } catch (DateTimeParseException notADate) {
                    return Optional.empty();
                }
            }
            return Optional.of(asked.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : asked);
        }

        private static String abbreviate(String body) {
            return body.length() <= 200 ? body : body.substring(0, 200) + "...";
        }
    }

    /** Closes the bodies of answers that outlast their deadline. */
    ScheduledExecutorService BODY_DEADLINES = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "http-body-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    /** The longest {@code Retry-After} honoured: a day. */
    Duration LONGEST_RETRY_AFTER = Duration.ofDays(1);
    /** How much of an HTTP answer's body is read: enough for an error text or an id, never a flood. */
    int BODY_LIMIT = 4096;

    /**
     * Sends and reads the answer within {@code timeout} as a whole (headers and body, of which at
     * most {@link #BODY_LIMIT} bytes are kept): an endpoint that trickles its answer cannot hold
     * the worker, since the body's stream is closed under the reader when the time is up.
     */
    static HttpAnswer exchange(HttpClient client, HttpRequest request, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<HttpResponse<InputStream>> headers = client.sendAsync(request,
                HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> response;
        try {
            response = headers.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            headers.cancel(true);
            throw new HttpTimeoutException("No answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        InputStream in = response.body();
        ScheduledFuture<?> cutOff = BODY_DEADLINES.schedule(() -> {
            try {
                in.close();
            } catch (IOException ignored) {
                // Closing is all that is wanted: the reader's next read fails.
            }
        }, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        String body;
        try (in) {
            body = new String(in.readNBytes(BODY_LIMIT), StandardCharsets.UTF_8);
        } catch (IOException e) {
            body = "";
        } finally {
            cutOff.cancel(false);
        }
        return new HttpAnswer(response.statusCode(), response.headers(), body);
    }

    /** An HTTP answer: its status, headers and the start of its body. */
    record HttpAnswer(int status, HttpHeaders headers, String body) {
    }

    /** The provider's name in results, e.g. {@code smtp:mail.example.com:587}. */
    String name();

    Outcome send(NotificationMessage message, String idempotencyKey);

    @Override
    default void close() {
    }
}
