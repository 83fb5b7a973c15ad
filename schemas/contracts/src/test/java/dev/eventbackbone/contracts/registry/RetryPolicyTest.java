package dev.eventbackbone.contracts.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void retriesConnectionFailuresServerErrorsAndTooManyRequests() {
        assertThat(RetryPolicy.isRetryable(SchemaRegistryException.NO_RESPONSE)).isTrue();
        assertThat(RetryPolicy.isRetryable(500)).isTrue();
        assertThat(RetryPolicy.isRetryable(502)).isTrue();
        assertThat(RetryPolicy.isRetryable(503)).isTrue();
        assertThat(RetryPolicy.isRetryable(429)).isTrue();
    }

    @Test
    void aRegistryFailureSaysWhetherItIsWorthRetryingByTheSamePolicy() {
        assertThat(SchemaRegistryException.answered(429, 429, "slow down", "GET", "http://registry/x").retryable())
                .isTrue();
        assertThat(SchemaRegistryException.answered(404, 40403, "no such schema", "GET", "http://registry/x")
                .retryable()).isFalse();
    }

    @Test
    void neverRetriesOtherClientErrors() {
        assertThat(RetryPolicy.isRetryable(400)).isFalse();
        assertThat(RetryPolicy.isRetryable(401)).isFalse();
        assertThat(RetryPolicy.isRetryable(403)).isFalse();
        assertThat(RetryPolicy.isRetryable(404)).isFalse();
        assertThat(RetryPolicy.isRetryable(409)).isFalse();
        assertThat(RetryPolicy.isRetryable(422)).isFalse();
    }

    @Test
    void backoffDoublesFromTheInitialWait() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(10));

        assertThat(policy.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.backoff(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.backoff(4)).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void backoffStopsGrowingAtTheMaximumWithoutOverflowing() {
        RetryPolicy policy = new RetryPolicy(100, Duration.ofMillis(100), Duration.ofMillis(1_000));

        assertThat(policy.backoff(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(policy.backoff(5)).isEqualTo(Duration.ofMillis(1_000));
        assertThat(policy.backoff(64)).isEqualTo(Duration.ofMillis(1_000));
        assertThat(policy.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofMillis(1_000));
    }

    @Test
    void zeroBackoffRetriesAtOnce() {
        assertThat(new RetryPolicy(3, Duration.ZERO, Duration.ofSeconds(1)).backoff(3)).isEqualTo(Duration.ZERO);
    }

    @Test
    void retriesAreCountedFromOne() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1));

        assertThatThrownBy(() -> policy.backoff(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
