package dev.eventbackbone.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.service.ApiError;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdempotencyCacheTest {

    private static final byte[] BODY = {1, 2, 3};

    private final IdempotencyCache cache = new IdempotencyCache(Duration.ofHours(24), 1_000);

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
}
