package dev.eventbackbone.audit.store;

import dev.eventbackbone.audit.store.AuditStorage.Family;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import org.rocksdb.RocksIterator;

/**
 * Searches one tenant's leaves, newest (highest index) first, through the most selective index a
 * query allows (actor, then resource, then action prefix, then outcome, then the time range) and
 * checks every other filter on the leaf itself.
 */
public final class Searcher {

    /** A search examines at most this many candidates per page; a sparse match returns a cursor to go on. */
    static final int MAX_CANDIDATES_PER_PAGE = 50_000;

    private final AuditStorage storage;

    Searcher(AuditStorage storage) {
        this.storage = storage;
    }

    public Optional<StoredLeaf> leaf(String tenant, long index) {
        byte[] value = storage.get(Family.LEAVES, Keys.leaf(tenant, index));
        return value == null ? Optional.empty() : Optional.of(StoredLeaf.decode(tenant, index, value));
    }

    public Optional<StoredLeaf> byEventId(String tenant, String eventId) {
        byte[] index = storage.get(Family.EVENT_IDS, Keys.eventId(tenant, eventId));
        return index == null ? Optional.empty() : leaf(tenant, Keys.longOf(index));
    }

    public Page search(AuditQuery query) {
        return storage.read(() -> {
            List<StoredLeaf> found = new ArrayList<>();
            int examined = 0;
            try (IndexSource candidates = candidates(query)) {
                for (long index = candidates.next(); index >= 0; index = candidates.next()) {
                    Optional<StoredLeaf> leaf = leaf(query.tenantId(), index);
                    if (leaf.isPresent() && query.matches(leaf.get().content())) {
                        found.add(leaf.get());
                        if (found.size() == query.limit()) {
                            return new Page(found, candidates.next() >= 0 ? index : null);
                        }
                    }
                    if (++examined >= MAX_CANDIDATES_PER_PAGE) {
                        return new Page(found, index > 0 ? index : null);
                    }
                }
            }
            return new Page(found, null);
        });
    }

    private IndexSource candidates(AuditQuery query) {
        String tenant = query.tenantId();
        long before = query.beforeIndex();
        if (before <= 0) {
            return IndexSource.NONE;
        }
        if (query.actor() != null) {
            return new IndexScan(storage.iterator(Family.INDEXES),
                    Keys.indexValuePrefix(IndexField.ACTOR, tenant, query.actor()), before);
        }
        if (query.resourceId() != null) {
            return new IndexScan(storage.iterator(Family.INDEXES),
                    Keys.indexValuePrefix(IndexField.RESOURCE, tenant, query.resourceId()), before);
        }
        if (query.actionPrefix() != null) {
            return actionScan(tenant, query.actionPrefix(), before);
        }
        if (query.outcome() != null) {
            return new IndexScan(storage.iterator(Family.INDEXES),
                    Keys.indexValuePrefix(IndexField.OUTCOME, tenant, query.outcome()), before);
        }
        if (query.from() != null || query.to() != null) {
            Optional<IndexSource> inRange = timeRange(query);
            if (inRange.isPresent()) {
                return inRange.get();
            }
        }
        return new IndexScan(storage.iterator(Family.LEAVES), Keys.tenantPrefix(tenant), before);
    }

    /**
     * Every distinct action under the prefix has its own index range; merge them newest first. Each
     * range is found from the value's bytes as stored, never re-encoded, so a value the index cut
     * short is found again exactly.
     */
    private IndexSource actionScan(String tenant, String actionPrefix, long before) {
        byte[] scanPrefix = Keys.indexPrefixScan(IndexField.ACTION, tenant, actionPrefix);
        int tenantLength = Keys.tenantPrefix(tenant).length;
        List<IndexSource> ranges = new ArrayList<>();
        try (RocksIterator iterator = storage.iterator(Family.INDEXES)) {
            iterator.seek(scanPrefix);
            while (iterator.isValid() && Keys.startsWith(iterator.key(), scanPrefix)) {
                byte[] valuePrefix = Keys.indexValuePrefix(IndexField.ACTION, tenant,
                        Keys.indexedValueOf(iterator.key(), tenantLength));
                ranges.add(new IndexScan(storage.iterator(Family.INDEXES), valuePrefix, before));
                iterator.seek(Keys.after(valuePrefix));
            }
        }
        return new MergedScan(ranges);
    }

    /**
     * Leaves with occurredAt in the query's range, found through the time index, newest first;
     * empty when the range holds more than {@link #MAX_CANDIDATES_PER_PAGE} leaves, for then
     * matches are dense and a plain scan finds a page sooner.
     */
    private Optional<IndexSource> timeRange(AuditQuery query) {
        byte[] prefix = Keys.timeIndexPrefix(query.tenantId());
        long from = query.from() == null ? Long.MIN_VALUE : query.from().toEpochMilli();
        long to = query.to() == null ? Long.MAX_VALUE : query.to().toEpochMilli();
        List<Long> indexes = new ArrayList<>();
        try (RocksIterator iterator = storage.iterator(Family.INDEXES)) {
            for (iterator.seek(Keys.timeIndex(query.tenantId(), from, 0)); iterator.isValid()
                    && Keys.startsWith(iterator.key(), prefix); iterator.next()) {
                byte[] key = iterator.key();
                if (Keys.timeOf(key) >= to) {
                    break;
                }
                if (indexes.size() == MAX_CANDIDATES_PER_PAGE) {
                    return Optional.empty();
                }
                long index = Keys.sequenceAtEnd(key);
                if (index < query.beforeIndex()) {
                    indexes.add(index);
                }
            }
        }
        long[] descending = indexes.stream().mapToLong(Long::longValue).sorted().toArray();
        return Optional.of(new IndexSource() {
            private int next = descending.length - 1;

            @Override
            public long next() {
                return next >= 0 ? descending[next--] : -1;
            }

            @Override
            public void close() {
            }
        });
    }

    /** Yields leaf indexes in descending order; -1 when exhausted. */
    private interface IndexSource extends AutoCloseable {
        IndexSource NONE = new IndexSource() {
            @Override
            public long next() {
                return -1;
            }

            @Override
            public void close() {
            }
        };

        long next();

        @Override
        void close();
    }

    /** Walks the keys under a prefix backwards from the cursor; each key ends in a leaf index. */
    private static final class IndexScan implements IndexSource {
        private final RocksIterator iterator;
        private final byte[] prefix;

        IndexScan(RocksIterator iterator, byte[] prefix, long before) {
            this.iterator = iterator;
            this.prefix = prefix;
            iterator.seekForPrev(ByteBuffer.allocate(prefix.length + Long.BYTES).put(prefix)
                    .putLong(before == Long.MAX_VALUE ? Long.MAX_VALUE : before - 1).array());
        }

        @Override
        public long next() {
            if (!iterator.isValid() || !Keys.startsWith(iterator.key(), prefix)
                    || iterator.key().length != prefix.length + Long.BYTES) {
                return -1;
            }
            long index = Keys.sequenceAtEnd(iterator.key());
            iterator.prev();
            return index;
        }

        @Override
        public void close() {
            iterator.close();
        }
    }

    private static final class MergedScan implements IndexSource {
        private record Entry(long index, IndexSource source) {
        }

        private final List<IndexSource> sources;
        private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> Long.compare(b.index, a.index));

        MergedScan(List<IndexSource> sources) {
            this.sources = sources;
            sources.forEach(this::advance);
        }

        private void advance(IndexSource source) {
            long index = source.next();
            if (index >= 0) {
                queue.add(new Entry(index, source));
            }
        }

        @Override
        public long next() {
            Entry top = queue.poll();
            if (top == null) {
                return -1;
            }
            advance(top.source);
            return top.index;
        }

        @Override
        public void close() {
            sources.forEach(IndexSource::close);
        }
    }
}
