package dev.eventbackbone.processors.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.contracts.events.AuditFlags;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditResource;
import dev.eventbackbone.contracts.events.AuditSeverity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Raises one alert when an actor's N-th failed login within the window arrives (by occurredAt), then
 * starts counting afresh, so a continuing attack alerts once per full burst rather than per attempt.
 * The failures since the last alert live in a changelogged store keyed {@code tenant:actorId}; that
 * key is also audit.raw's partitioning key, so one task sees all of an actor's logins.
 */
final class FailedLoginDetector {

    static final String ALERT_ACTION = "security.failed_login_burst";
    static final String LOGIN = "auth.login";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyValueStore<String, History> store;
    private final int threshold;
    private final long windowMillis;

    /** One failed login: when it happened and which event said so. */
    record Failure(long at, String eventId) {
    }

    /** The failures of one actor since its last alert, and the record timestamp of the last update. */
    record History(List<Failure> failures, long updatedAt) {
    }

    FailedLoginDetector(KeyValueStore<String, History> store, int threshold, long windowMillis) {
        this.store = store;
        this.threshold = threshold;
        this.windowMillis = windowMillis;
    }

    /** The burst alert when {@code record} is the failure that completes one; empty otherwise. */
    Optional<AuditRecord> onRecord(String key, AuditRecord record, long timestamp) {
        if (!LOGIN.equals(record.getAction()) || record.getOutcome() != AuditOutcome.FAILURE) {
            return Optional.empty();
        }
        History history = store.get(key);
        List<Failure> failures = new ArrayList<>(history == null ? List.of() : history.failures());
        failures.add(new Failure(record.getOccurredAt().toEpochMilli(), record.getEventId()));
        // Sorted by time, then id, so a late event counts where it happened and the alert id is reproducible.
        failures.sort(Comparator.comparingLong(Failure::at).thenComparing(Failure::eventId));
        long newest = failures.get(failures.size() - 1).at();
        failures.removeIf(failure -> failure.at() <= newest - windowMillis);
        if (failures.size() < threshold) {
            store.put(key, new History(failures, timestamp));
            return Optional.empty();
        }
        store.delete(key);
        return Optional.of(alert(record, failures));
    }

    /**
     * Forgets actors with no failure for a window of record time: their failures can no longer join a
     * burst. Record time rather than occurredAt, so a backfill of old events is not purged mid-burst.
     */
    void purge(long streamTime) {
        List<String> stale = new ArrayList<>();
        try (KeyValueIterator<String, History> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, History> entry = all.next();
                if (entry.value.updatedAt() < streamTime - windowMillis) {
                    stale.add(entry.key);
                }
            }
        }
        stale.forEach(store::delete);
    }

    private AuditRecord alert(AuditRecord last, List<Failure> failures) {
        List<String> eventIds = failures.stream().map(Failure::eventId).toList();
        String ids = String.join(",", eventIds);
        // Derived from the burst's events, so reprocessing the same events yields the same alert id.
        String alertId = UUID.nameUUIDFromBytes((ALERT_ACTION + "|" + last.getTenantId() + "|" + ids)
                .getBytes(StandardCharsets.UTF_8)).toString();
        long first = failures.get(0).at();
        long latest = failures.get(failures.size() - 1).at();
        return AuditRecord.newBuilder(last)
                .setEventId(alertId)
                .setSource(AuditNormalizationTopology.COMPONENT)
                .setOccurredAt(Instant.ofEpochMilli(latest))
                .setAction(ALERT_ACTION)
                .setActionRaw(ALERT_ACTION)
                .setOutcome(AuditOutcome.FAILURE)
                .setSeverity(AuditSeverity.HIGH)
                .setResource(AuditResource.newBuilder().setType("actor").setId(last.getActorId()).build())
                .setFlags(AuditFlags.newBuilder().build())
                .setMetadata(Map.of(
                        "failures", String.valueOf(failures.size()),
                        "windowSeconds", String.valueOf(windowMillis / 1000),
                        "firstFailureAt", Instant.ofEpochMilli(first).toString(),
                        "lastFailureAt", Instant.ofEpochMilli(latest).toString(),
                        "eventIds", ids))
                .build();
    }

    /** JSON, which is enough for a handful of (time, id) pairs and readable when inspecting the changelog. */
    static Serde<History> historySerde() {
        return Serdes.serdeFrom(
                (topic, history) -> {
                    try {
                        return history == null ? null : JSON.writeValueAsBytes(history);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                (topic, bytes) -> {
                    try {
                        return bytes == null ? null : JSON.readValue(bytes, History.class);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }
}
