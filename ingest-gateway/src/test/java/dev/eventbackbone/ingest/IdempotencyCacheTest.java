package dev.eventbackbone.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.service.ApiError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdempotencyCacheTest {

    private static final byte[] BODY = {1, 2, 3};

    private final IdempotencyCache cache = new IdempotencyCache(Duration.ofHours(24), 1 << 20, Runnable::run);

    @Test
    void aRequestThatFailsBeforeItHasAnAnswerDoesNotLeaveItsKeyPending() throws Exception {
        CompletableFuture<IngestAnswer> first = cache.answer("acme", "audit", "key-1", BODY, () -> {
            throw ApiError.of(503, "registry_unavailable", "The schema registry did not answer.").asException();
        });
        assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ApiError.Failure.class);

        CompletableFuture<IngestAnswer> retry = cache.answer("acme", "audit", "key-1", BODY,
                () -> CompletableFuture.completedFuture(IngestAnswer.of(202, "accepted")));

        assertThat(retry.get(5, TimeUnit.SECONDS).status()).as("the retry was handled, not left waiting").isEqualTo(202);
    }

    @Test
    void anAcceptedAnswerIsReplayedAndAReusedKeyWithAnotherBodyIsRefused() throws Exception {
        cache.answer("acme", "audit", "key-2", BODY, () -> CompletableFuture.completedFuture(IngestAnswer.of(202, "first")))
                .get(5, TimeUnit.SECONDS);

        IngestAnswer replay = cache.answer("acme", "audit", "key-2", BODY,
                () -> CompletableFuture.completedFuture(IngestAnswer.of(202, "second"))).get(5, TimeUnit.SECONDS);
        IngestAnswer reused = cache.answer("acme", "audit", "key-2", new byte[] {9},
                () -> CompletableFuture.completedFuture(IngestAnswer.of(202, "third"))).get(5, TimeUnit.SECONDS);

        assertThat(replay.body()).isEqualTo("first");
        assertThat(replay.replayed()).isTrue();
        assertThat(reused.status()).isEqualTo(422);
    }

    @Test
    void batchAnswersAreBoundedByTheMemoryTheyTakeNotByTheirCount() throws Exception {
        long maxBytes = 200_000;
        IdempotencyCache small = new IdempotencyCache(Duration.ofHours(24), maxBytes, Runnable::run);
        for (int key = 0; key < 100; key++) {
            small.answer("acme", "analytics", "batch-" + key, BODY,
                    () -> CompletableFuture.completedFuture(batchOf(100))).get(5, TimeUnit.SECONDS);
        }

        assertThat(small.weightedSize()).isLessThanOrEqualTo(maxBytes);
        int replayed = 0;
        for (int key = 0; key < 100; key++) {
            if (small.answer("acme", "analytics", "batch-" + key, BODY,
                    () -> CompletableFuture.completedFuture(IngestAnswer.of(202, "handled again")))
                    .get(5, TimeUnit.SECONDS).replayed()) {
                replayed++;
            }
        }
        assertThat(replayed).as("answers still remembered").isPositive().isLessThan(100);
    }

    /** A batch answer of {@code size} accepted results, as the gateway builds it. */
    private static IngestAnswer batchOf(int size) {
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            results.add(Map.of("index", i, "status", 202, "eventId", "e-" + i, "topic", "analytics.events",
                    "partition", 0, "offset", (long) i));
        }
        return IngestAnswer.of(202, Map.of("accepted", size, "rejected", 0, "results", results));
    }
}
