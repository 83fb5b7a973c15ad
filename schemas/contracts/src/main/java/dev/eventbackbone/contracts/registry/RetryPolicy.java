package dev.eventbackbone.contracts.registry;

import java.time.Duration;
import org.apache.kafka.common.utils.ExponentialBackoff;

/**
 * When and how long to wait before asking a registry again. Only failures that may pass are
 * retried: no answer at all, a 5xx, or 429 (too many requests). Any other 4xx is the caller's
 * mistake and asking again would give the same answer. The waits are Kafka's own
 * {@link ExponentialBackoff}, without jitter.
 */
record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {

    static boolean isRetryable(int status) {
        return status == SchemaRegistryException.NO_RESPONSE || status == 429 || status >= 500;
    }

    /** The wait before retry number {@code retry} (1 for the first): doubling from the initial backoff, capped. */
    Duration backoff(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("Retries are counted from 1, got " + retry);
        }
        ExponentialBackoff doubling = new ExponentialBackoff(initialBackoff.toMillis(), 2, maxBackoff.toMillis(), 0);
        return Duration.ofMillis(doubling.backoff(retry - 1));
    }
}
