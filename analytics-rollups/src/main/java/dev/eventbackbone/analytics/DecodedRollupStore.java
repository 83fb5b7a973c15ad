package dev.eventbackbone.analytics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A window store of rollups that keeps the rollups the stream thread updates decoded in memory
 * and writes each changed one to the store beneath (RocksDB and its changelog) once per commit.
 *
 * <p>Kafka Streams' record cache holds serialized values, so with it every event still decoded
 * and encoded its windows' sketches (kilobytes each); here an event is an update of objects in
 * memory. The writes happen in {@link #flushCache()}, which Kafka Streams calls before it commits
 * the transaction that holds them (the hook its own record cache uses: there is no public one),
 * so a commit's changelog carries every rollup its offsets count. A commit that is abandoned
 * ({@link #clearCache()}, {@link #close()}) drops every decoded rollup: the store beneath is what
 * is read again.
 *
 * <p>Only the stream thread that runs the task uses the decoded rollups. Interactive queries read
 * the store beneath, which is at most one commit interval behind the updates.
 */
final class DecodedRollupStore extends WrappedStateStore<WindowStore<String, Rollup>, String, Rollup>
        implements WindowStore<String, Rollup> {

    private record WindowKey(String key, long start) {
    }

    private final int maxWindows;
    /** Access order: after a commit the rollups unused for longest are the first dropped. */
    private final LinkedHashMap<WindowKey, Rollup> decoded = new LinkedHashMap<>(256, 0.75f, true);
    private final Map<WindowKey, Rollup> changed = new LinkedHashMap<>();
    /** The stream thread that runs the task: an interactive query's thread reads the store beneath. */
    private volatile Thread processingThread;

    DecodedRollupStore(WindowStore<String, Rollup> store, int maxWindows) {
        super(store);
        this.maxWindows = maxWindows;
    }

    /** Builds the store beneath with {@code builder} and puts this layer on top. */
    static StoreBuilder<WindowStore<String, Rollup>> on(StoreBuilder<WindowStore<String, Rollup>> builder,
                                                          int maxWindows) {
        return new Builder(builder, maxWindows);
    }

    /** Finds this layer beneath the decorators that a processor's context puts around a store. */
    static DecodedRollupStore in(StateStore store) {
        StateStore layer = store;
        while (!(layer instanceof DecodedRollupStore) && layer instanceof WrappedStateStore<?, ?, ?> wrapper) {
            layer = wrapper.wrapped();
        }
        if (layer instanceof DecodedRollupStore decoded) {
            return decoded;
        }
        throw new IllegalArgumentException("The store " + store.name() + " was not built by DecodedRollupStore.on");
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        processingThread = Thread.currentThread();
        super.init(context, root);
    }

    @Override
    public Rollup fetch(String key, long start) {
        if (Thread.currentThread() != processingThread) {
            return wrapped().fetch(key, start);
        }
        WindowKey window = new WindowKey(key, start);
        Rollup rollup = decoded.get(window);
        if (rollup == null && !decoded.containsKey(window)) {
            rollup = wrapped().fetch(key, start);
            decoded.put(window, rollup);
        }
        return rollup;
    }

    @Override
    public void put(String key, Rollup rollup, long start) {
        WindowKey window = new WindowKey(key, start);
        decoded.put(window, rollup);
        changed.put(window, rollup);
    }

    @Override
    public void flushCache() {
        writeChanges();
        if (decoded.size() > maxWindows) {
            Iterator<WindowKey> eldest = decoded.keySet().iterator();
            for (int excess = decoded.size() - maxWindows; excess > 0; excess--) {
                eldest.next();
                eldest.remove();
            }
        }
        super.flushCache();
    }

    private void writeChanges() {
        for (Map.Entry<WindowKey, Rollup> change : changed.entrySet()) {
            wrapped().put(change.getKey().key(), change.getValue(), change.getKey().start());
        }
        changed.clear();
    }

    /**
     * Hands every rollup of the store to {@code to} and deletes it, as part of the task's current
     * transaction: the handed-on rollups and their deletion are committed together, or neither is.
     */
    void drain(BiConsumer<Windowed<String>, Rollup> to) {
        writeChanges();
        List<Windowed<String>> drained = new ArrayList<>();
        try (KeyValueIterator<Windowed<String>, Rollup> all = wrapped().all()) {
            all.forEachRemaining(entry -> {
                to.accept(entry.key, entry.value);
                drained.add(entry.key);
            });
        }
        for (Windowed<String> window : drained) {
            wrapped().put(window.key(), null, window.window().start());
        }
        decoded.clear();
    }

    @Override
    public void clearCache() {
        forget();
        super.clearCache();
    }

    @Override
    public void close() {
        forget();
        super.close();
    }

    private void forget() {
        changed.clear();
        decoded.clear();
    }

    @Override
    public WindowStoreIterator<Rollup> fetch(String key, long timeFrom, long timeTo) {
        return wrapped().fetch(key, timeFrom, timeTo);
    }

    @Override
    public WindowStoreIterator<Rollup> fetch(String key, Instant timeFrom, Instant timeTo) {
        return wrapped().fetch(key, timeFrom, timeTo);
    }

    @Override
    public WindowStoreIterator<Rollup> backwardFetch(String key, long timeFrom, long timeTo) {
        return wrapped().backwardFetch(key, timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<String>, Rollup> fetch(String keyFrom, String keyTo, long timeFrom, long timeTo) {
        return wrapped().fetch(keyFrom, keyTo, timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<String>, Rollup> fetch(String keyFrom, String keyTo, Instant timeFrom,
                                                             Instant timeTo) {
        return wrapped().fetch(keyFrom, keyTo, timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<String>, Rollup> backwardFetch(String keyFrom, String keyTo, long timeFrom,
                                                                     long timeTo) {
        return wrapped().backwardFetch(keyFrom, keyTo, timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<String>, Rollup> all() {
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<Windowed<String>, Rollup> backwardAll() {
        return wrapped().backwardAll();
    }

    @Override
    public KeyValueIterator<Windowed<String>, Rollup> fetchAll(long timeFrom, long timeTo) {
        return wrapped().fetchAll(timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<String>, Rollup> fetchAll(Instant timeFrom, Instant timeTo) {
        return wrapped().fetchAll(timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<String>, Rollup> backwardFetchAll(long timeFrom, long timeTo) {
        return wrapped().backwardFetchAll(timeFrom, timeTo);
    }

    private static final class Builder implements StoreBuilder<WindowStore<String, Rollup>> {
        private final StoreBuilder<WindowStore<String, Rollup>> beneath;
        private final int maxWindows;

        Builder(StoreBuilder<WindowStore<String, Rollup>> beneath, int maxWindows) {
            this.beneath = beneath;
            this.maxWindows = maxWindows;
        }

        @Override
        public StoreBuilder<WindowStore<String, Rollup>> withCachingEnabled() {
            beneath.withCachingEnabled();
            return this;
        }

        @Override
        public StoreBuilder<WindowStore<String, Rollup>> withCachingDisabled() {
            beneath.withCachingDisabled();
            return this;
        }

        @Override
        public StoreBuilder<WindowStore<String, Rollup>> withLoggingEnabled(Map<String, String> config) {
            beneath.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<WindowStore<String, Rollup>> withLoggingDisabled() {
            beneath.withLoggingDisabled();
            return this;
        }

        @Override
        public WindowStore<String, Rollup> build() {
            return new DecodedRollupStore(beneath.build(), maxWindows);
        }

        @Override
        public Map<String, String> logConfig() {
            return beneath.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return beneath.loggingEnabled();
        }

        @Override
        public String name() {
            return beneath.name();
        }
    }
}
