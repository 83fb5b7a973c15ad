package dev.eventbackbone.analytics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.query.WindowKeyQuery;
import org.apache.kafka.streams.query.WindowRangeQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Reads one key's windows from this instance's copy of a partition with IQv2: the active task's,
 * or a standby's when that is what this instance holds, saying which and how far it is behind.
 */
final class RollupQueries {

    /** A query this instance could not answer from the partition. */
    static final class NotHere extends RuntimeException {
        NotHere(String message) {
            super(message);
        }
    }

    /** The windows of a key, oldest first, and where they came from. */
    record Windows(List<KeyValue<Long, Rollup>> windows, boolean standby, long lagRecords) {
    }

    private final Supplier<KafkaStreams> streams;

    RollupQueries(Supplier<KafkaStreams> streams) {
        this.streams = streams;
    }

    /**
     * Per name, the events counted in the windows of {@code [from, to]} starting with the key
     * prefix, over every partition whose active task is here: standbys here are skipped (they
     * answer NOT_ACTIVE), so a sum of every instance's part counts each partition once.
     */
    Map<String, Long> countsByName(String store, String prefix, Instant from, Instant to) {
        StateQueryResult<KeyValueIterator<Windowed<String>, Rollup>> answer = streams.get().query(StateQueryRequest
                .inStore(store).withQuery(WindowRangeQuery.<String, Rollup>withWindowStartRange(from, to))
                .requireActive());
        Map<String, Long> counts = new TreeMap<>();
        for (QueryResult<KeyValueIterator<Windowed<String>, Rollup>> result : answer.getPartitionResults().values()) {
            if (result.isFailure() && result.getFailureReason() == FailureReason.NOT_ACTIVE) {
                continue;
            }
            if (result.isFailure()) {
                throw new NotHere(result.getFailureReason() + ": " + result.getFailureMessage());
            }
            try (KeyValueIterator<Windowed<String>, Rollup> range = result.getResult()) {
                range.forEachRemaining(entry -> {
                    String key = entry.key.key();
                    if (key.startsWith(prefix) && !Measure.isAll(key)) {
                        counts.merge(key.substring(prefix.length()), entry.value.count(), Long::sum);
                    }
                });
            }
        }
        return counts;
    }

    Windows windows(String store, int partition, String key, Instant from, Instant to) {
        KafkaStreams application = streams.get();
        StateQueryRequest<WindowStoreIterator<Rollup>> request = StateQueryRequest.inStore(store)
                .withQuery(WindowKeyQuery.<String, Rollup>withKeyAndWindowStartRange(key, from, to))
                .withPartitions(Set.of(partition));
        StateQueryResult<WindowStoreIterator<Rollup>> answer = application.query(request);
        QueryResult<WindowStoreIterator<Rollup>> result = answer.getPartitionResults().get(partition);
        if (result == null || result.isFailure()) {
            throw new NotHere(result == null ? "partition " + partition + " of " + store + " is not held here"
                    : result.getFailureReason() + ": " + result.getFailureMessage());
        }
        List<KeyValue<Long, Rollup>> windows = new ArrayList<>();
        try (WindowStoreIterator<Rollup> range = result.getResult()) {
            range.forEachRemaining(windows::add);
        }
        boolean standby = application.metadataForLocalThreads().stream()
                .flatMap(thread -> thread.standbyTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .anyMatch(topicPartition -> topicPartition.partition() == partition);
        Map<Integer, LagInfo> lags = application.allLocalStorePartitionLags().getOrDefault(store, Map.of());
        LagInfo lag = lags.get(partition);
        return new Windows(windows, standby, lag == null ? 0 : lag.offsetLag());
    }
}
