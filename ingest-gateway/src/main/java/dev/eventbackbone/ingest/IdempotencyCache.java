package dev.eventbackbone.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.eventbackbone.service.ApiError;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

/**
 * Remembers, per tenant, stream and Idempotency-Key, the answer to the first request for a bounded
 * time (24 h by default) within a bounded amount of memory (the answers least likely to be asked
 * for again go first; a batch's answer weighs what its results do), so a retry gets the original answer instead
 * of a second event. Concurrent duplicates wait for the first one's answer. Only acceptances are remembered: a
 * request that failed may be retried for real. This cache is local; across gateway instances the
 * key-derived event id lets consumers deduplicate.
 */
final class IdempotencyCache {

    /** An answer and the fingerprint of the request body it answered. */
    private record Entry(byte[] bodyDigest, CompletableFuture<IngestAnswer> answer) {
    }

    /** What an entry costs besides its answer: the map entry, the key, the digest, the future. */
    private static final int ENTRY_OVERHEAD_BYTES = 200;

    private final Cache<String, Entry> entries;

    IdempotencyCache(Duration retention, long maxBytes) {
        this(retention, maxBytes, ForkJoinPool.commonPool());
    }

    /** @param maintenance runs evictions; a test passes {@code Runnable::run} to see them at once */
    IdempotencyCache(Duration retention, long maxBytes, Executor maintenance) {
        this.entries = Caffeine.newBuilder().expireAfterWrite(retention).maximumWeight(maxBytes)
                .weigher((String key, Entry entry) -> weight(key, entry)).executor(maintenance).build();
    }

    private static int weight(String key, Entry entry) {
        IngestAnswer answer = entry.answer().getNow(null);
        long bytes = ENTRY_OVERHEAD_BYTES + 2L * key.length() + (answer == null ? 0 : answer.estimatedBytes());
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    /** The answers' estimated size in memory, after any pending eviction. */
    long weightedSize() {
        entries.cleanUp();
        return entries.policy().eviction().map(eviction -> eviction.weightedSize().orElse(0)).orElse(0L);
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
            if (failure != null) {
                entries.asMap().remove(cacheKey, entry);
                mine.completeExceptionally(failure);
            } else if (!answer.accepted()) {
                entries.asMap().remove(cacheKey, entry);
                mine.complete(answer);
            } else {
                mine.complete(answer);
                // Weighed again now that the answer, and so its size, is known.
                entries.asMap().replace(cacheKey, entry, entry);
            }
        });
        return mine;
    }
}
