package dev.eventbackbone.service;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The events a task has taken, by key, each remembered for a window of time around it: how a
 * topology drops the second copy of an event that an at-least-once writer sent twice (the
 * gateway's spool resending a record whose acknowledgement was lost, a client retrying with the
 * same {@code Idempotency-Key} through another gateway instance), which carries the same id.
 *
 * <p>A persistent window store with a changelog, so what was seen survives restarts and moves
 * with its partition, and retention drops whole expired segments without scanning. Each key is
 * kept under the start of its window-sized bucket with its exact time as the value, so a check
 * is three point lookups (the bucket and its neighbours), which RocksDB's bloom filters answer
 * for a key never seen without reading a block, rather than a range scan of every segment. A
 * copy finds the original only in the same task, so both must reach the same partition, as
 * records keyed by the event's content do. Every copy dropped counts in the task's
 * {@code duplicates-dropped} sensor.
 */
public final class SeenEvents {

    private final WindowStore<String, Long> store;
    private final long windowMillis;
    private final Sensor duplicates;

    private SeenEvents(WindowStore<String, Long> store, long windowMillis, Sensor duplicates) {
        this.store = store;
        this.windowMillis = windowMillis;
        this.duplicates = duplicates;
    }

    /**
     * The store to add to the topology and connect to the processor that uses {@link #in}: an
     * entry is kept under a bucket start up to one window before its time, and must outlive its
     * time by the window, hence a retention of two windows.
     */
    public static StoreBuilder<WindowStore<String, Long>> store(String name, Duration window) {
        // Every key is new and none is ever deleted, so compacting the changelog would rewrite it for nothing:
        // its records go by retention alone (the store's, plus Kafka Streams' windowstore.changelog margin), and
        // only in whole segments, which roll every window so that a restore reads little beyond the retention.
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(name, window.multipliedBy(2), window, false),
                Serdes.String(), Serdes.Long())
                .withLoggingEnabled(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(window.toMillis())));
    }

    /** The events seen by the processor's task, in its store {@code storeName}, with a sensor of {@code component}. */
    public static SeenEvents in(ProcessorContext<?, ?> context, String storeName, Duration window, String component) {
        Sensor duplicates = context.metrics().addRateTotalSensor(component, context.taskId().toString(),
                "duplicates-dropped", Sensor.RecordingLevel.INFO);
        return new SeenEvents(context.getStateStore(storeName), window.toMillis(), duplicates);
    }

    /**
     * Whether an event with this key was remembered within the window before or after
     * {@code timestamp}: then this one is a copy, and is counted as dropped.
     */
    public boolean isCopy(String key, long timestamp) {
        long bucket = bucketOf(timestamp);
        for (long start = bucket - windowMillis; start <= bucket + windowMillis; start += windowMillis) {
            Long seenAt = start < 0 ? null : store.fetch(key, start);
            if (seenAt != null && Math.abs(seenAt - timestamp) <= windowMillis) {
                duplicates.record();
                return true;
            }
        }
        return false;
    }

    /**
     * Remembers an event taken at {@code timestamp}. One that was not a copy is more than a window
     * away from any other of its key, so it is alone in its bucket.
     */
    public void remember(String key, long timestamp) {
        store.put(key, timestamp, bucketOf(timestamp));
    }

    private long bucketOf(long timestamp) {
        return timestamp - Math.floorMod(timestamp, windowMillis);
    }
}
