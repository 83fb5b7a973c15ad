package dev.eventbackbone.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.eventbackbone.service.ApiError;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Remembers, per tenant, stream and Idempotency-Key, the answer to the first request for a bounded
 * time (24 h by default) and number of keys, so a retry gets the original answer instead of a second
 * event. Concurrent duplicates wait for the first one's answer. Only acceptances are remembered: a
 * request that failed may be retried for real. This cache is local; across gateway instances the
 * key-derived event id lets consumers deduplicate.
 */
final class IdempotencyCache {

    /** An answer and the fingerprint of the request body it answered. */
    private record Entry(byte[] bodyDigest, CompletableFuture<IngestAnswer> answer) {
    }

    private final Cache<String, Entry> entries;

    IdempotencyCache(Duration retention, long maxEntries) {
        this.entries = Caffeine.newBuilder().expireAfterWrite(retention).maximumSize(maxEntries).build();
    }

    /**
     * The remembered answer for this key, or the answer {@code handle} produces now. The same key
     * with a different body is a client bug and answered 422.
     */
    CompletableFuture<IngestAnswer> answer(String tenant, String stream, String key, byte[] bodyDigest,
                                           Supplier<CompletableFuture<IngestAnswer>> handle) {
        String cacheKey = tenant + '\u0000' + stream + '\u0000' + key;
        CompletableFuture<IngestAnswer> mine = new CompletableFuture<>();
        Entry entry = new Entry(bodyDigest, mine);
        Entry existing = entries.asMap().putIfAbsent(cacheKey, entry);
        if (existing != null) {
            if (!Arrays.equals(existing.bodyDigest(), bodyDigest)) {
                return CompletableFuture.completedFuture(IngestAnswer.error(ApiError.of(422,
                        "idempotency_key_reused", "Idempotency-Key '" + key + "' was already used for a different"
                                + " request body within the retention period; use a new key for a new event.",
                        "Idempotency-Key")));
            }
            return existing.answer().thenApply(IngestAnswer::asReplay);
        }
        CompletableFuture<IngestAnswer> handled;
        try {
            handled = handle.get();
        } catch (RuntimeException failure) {
            // Failed before it had an answer: forget the key, so a retry is handled instead of waiting for good.
            entries.asMap().remove(cacheKey, entry);
            mine.completeExceptionally(failure);
            return mine;
        }
        handled.whenComplete((answer, failure) -> {
            if (failure != null || !answer.accepted()) {
                entries.asMap().remove(cacheKey);
            }
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(answer);
            }
        });
        return mine;
    }
}
