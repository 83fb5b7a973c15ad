package dev.eventbackbone.ingest;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.eventbackbone.ingest.IngestGatewayConfiguration.RateLimit;
import dev.eventbackbone.ingest.IngestGatewayConfiguration.RateLimitSettings;
import dev.eventbackbone.service.ApiError;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Per-tenant token buckets (Bucket4j): refilled at the tenant's events/s, holding at most its burst. */
final class TenantRateLimits {

    private final RateLimitSettings settings;
    private final LoadingCache<String, Bucket> buckets;

    TenantRateLimits(RateLimitSettings settings) {
        this.settings = settings;
        // Idle tenants' buckets are full again after burst/rate seconds, so dropping them loses nothing.
        this.buckets = Caffeine.newBuilder().expireAfterAccess(Duration.ofHours(1)).build(this::bucketOf);
    }

    private Bucket bucketOf(String tenant) {
        RateLimit limit = settings.limitOf(tenant);
        return Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(limit.getBurst())
                        .refillGreedy(limit.getEventsPerSecond(), Duration.ofSeconds(1))
                        .build())
                .build();
    }

    /** Takes {@code events} tokens, or none and returns the error that tells when to retry. */
    ApiError tryAcquire(String tenant, int events) {
        RateLimit limit = settings.limitOf(tenant);
        if (events > limit.getBurst()) {
            return ApiError.of(429, "rate_limited", "A batch of " + events + " events exceeds tenant " + tenant
                    + "'s burst of " + limit.getBurst() + " events; send smaller batches.")
                    .retryAfter(1);
        }
        ConsumptionProbe probe = buckets.get(tenant).tryConsumeAndReturnRemaining(events);
        if (probe.isConsumed()) {
            return null;
        }
        int retryAfter = (int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
        return ApiError.of(429, "rate_limited", "Tenant " + tenant + " is over its rate limit of "
                + limit.getEventsPerSecond() + " events/s (burst " + limit.getBurst() + "); retry after "
                + retryAfter + " s.").retryAfter(retryAfter);
    }
}
