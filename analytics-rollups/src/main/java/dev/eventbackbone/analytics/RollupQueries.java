package dev.eventbackbone.analytics;

import dev.eventbackbone.service.LocalStores;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Reads one key's windows from this instance's copy of a partition: the active task's, or a
 * standby's when that is what this instance holds, saying which and how far it is behind.
 *
 * <p>Reads go through {@link LocalStores} (IQv1: an IQv2 query can deadlock with the stream thread).
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

    private static final String ROLLUP_INPUT = "-" + RollupTopology.BY_NAME + "-repartition";

    private final Supplier<KafkaStreams> streams;

    RollupQueries(Supplier<KafkaStreams> streams) {
        this.streams = streams;
    }

    /**
     * Per name, the events counted in the windows of {@code [from, to]} starting with the key
     * prefix, over every partition whose active task is here: standbys here are skipped, so a sum
     * of every instance's part counts each partition once.
     */
    Map<String, Long> countsByName(String store, String prefix, Instant from, Instant to) {
        KafkaStreams application = streams.get();
        Map<String, Long> counts = new TreeMap<>();
        for (int partition : activeRollupPartitions(application)) {
            try (KeyValueIterator<Windowed<String>, Rollup> range = LocalStores.<String, Rollup>window(application,
                    store, partition, false).fetchAll(from, to)) {
                range.forEachRemaining(entry -> {
                    String key = entry.key.key();
                    if (key.startsWith(prefix) && !Measure.isAll(key)) {
                        counts.merge(key.substring(prefix.length()), entry.value.count(), Long::sum);
                    }
                });
            } catch (InvalidStateStoreException e) {
                throw new NotHere("partition " + partition + " of " + store + ": " + e.getMessage());
            }
        }
        return counts;
    }

    /** The partitions whose rollup tasks are active on this instance. */
    private static Set<Integer> activeRollupPartitions(KafkaStreams application) {
        return application.metadataForLocalThreads().stream().flatMap(thread -> thread.activeTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .filter(topicPartition -> topicPartition.topic().endsWith(ROLLUP_INPUT))
                .map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new));
    }

    Windows windows(String store, int partition, String key, Instant from, Instant to) {
        KafkaStreams application = streams.get();
        List<KeyValue<Long, Rollup>> windows = new ArrayList<>();
        try (WindowStoreIterator<Rollup> range = LocalStores.<String, Rollup>window(application, store, partition,
                true).fetch(key, from, to)) {
            range.forEachRemaining(windows::add);
        } catch (InvalidStateStoreException e) {
            throw new NotHere("partition " + partition + " of " + store + ": " + e.getMessage());
        }
        boolean standby = application.metadataForLocalThreads().stream()
                .flatMap(thread -> thread.standbyTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .anyMatch(topicPartition -> topicPartition.partition() == partition);
        return new Windows(windows, standby, lagOf(application, store, partition, standby));
    }

    /**
     * How many changelog records this copy is behind. Lags are end offsets asked from the brokers,
     * a round trip that cost more than the query itself, so they are asked only when there can be
     * one: an active task of a RUNNING application has restored everything (it would not be
     * RUNNING otherwise) and is written as it processes.
     */
    private static long lagOf(KafkaStreams application, String store, int partition, boolean standby) {
        if (!standby && application.state() == KafkaStreams.State.RUNNING) {
            return 0;
        }
        LagInfo lag = application.allLocalStorePartitionLags().getOrDefault(store, Map.of()).get(partition);
        return lag == null ? 0 : lag.offsetLag();
    }
}
