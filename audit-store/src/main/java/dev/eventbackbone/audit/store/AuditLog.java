package dev.eventbackbone.audit.store;

import dev.eventbackbone.audit.chain.CanonicalJson;
import dev.eventbackbone.audit.chain.ChainHash;
import dev.eventbackbone.audit.chain.ChainVerifier;
import dev.eventbackbone.audit.chain.Checkpoint;
import dev.eventbackbone.audit.chain.SigningKey;
import dev.eventbackbone.contracts.events.AuditRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The append-only audit log in RocksDB. Each tenant's records form a hash chain with gap-free
 * sequence numbers. A batch of records, its index entries, its checkpoints, the chain heads and
 * the Kafka offsets it consumed are written in one atomic {@link WriteBatch}, so after a crash the
 * store resumes exactly where its last write left off: nothing lost, nothing twice.
 *
 * <p>Appending is a pipeline of two steps. Staging (dedupe, sequence numbers, hashes, the write
 * batch) runs on the caller's thread under one lock; writing runs on one writer thread, in staging
 * order. So the next batch is staged while the previous one is written, and a crash can only lose
 * whole batches that were never acknowledged as written, offsets included. Checkpoints and
 * retention first wait for every staged batch to be written. Reads run concurrently on RocksDB
 * iterators of their own.
 */
public final class AuditLog implements AutoCloseable {

    /** A search examines at most this many candidates per page; a sparse match returns a cursor to go on. */
    static final int MAX_CANDIDATES_PER_PAGE = 50_000;
    private static final byte[] NO_VALUE = new byte[0];

    static {
        RocksDB.loadLibrary();
    }

    private final RocksDB db;
    private final DBOptions dbOptions;
    private final List<ColumnFamilyOptions> columnFamilyOptions = new ArrayList<>();
    private final LRUCache blockCache;
    private final WriteOptions writeOptions;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final ColumnFamilyHandle records;
    private final ColumnFamilyHandle eventIds;
    private final ColumnFamilyHandle indexes;
    private final ColumnFamilyHandle offsets;
    private final ColumnFamilyHandle heads;
    private final ColumnFamilyHandle checkpoints;
    private final SigningKey signingKey;
    private final Clock clock;
    private final long checkpointEvery;
    /** Chain heads of written batches: what readers, verification and exports see. */
    private final Map<String, Head> headByTenant = new ConcurrentHashMap<>();
    /** Chain heads including batches staged but not yet written; guarded by {@link #chainLock}. */
    private final Map<String, Head> stagedHeads = new HashMap<>();
    /** Event ids of batches staged but not yet written, so a retry in the very next poll is caught. */
    private final Set<String> idsInFlight = ConcurrentHashMap.newKeySet();
    private final Object chainLock = new Object();
    /** Writes staged batches one at a time, in the order they were staged. */
    private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable ->
            new Thread(runnable, "audit-log-writer"));
    private volatile AuditStoreException writeFailure;
    private final AtomicLong duplicatesSkipped = new AtomicLong();

    /** The chain's end for one tenant, and the sequence up to which retention has deleted records. */
    record Head(long sequence, byte[] hash, long retainedAfter, long lastCheckpoint) {
        static final Head EMPTY = new Head(0, ChainHash.GENESIS, 0, 0);

        byte[] encode() {
            return ByteBuffer.allocate(3 * Long.BYTES + ChainHash.LENGTH)
                    .putLong(sequence).put(hash).putLong(retainedAfter).putLong(lastCheckpoint).array();
        }

        static Head decode(byte[] value) {
            ByteBuffer buffer = ByteBuffer.wrap(value);
            long sequence = buffer.getLong();
            byte[] hash = new byte[ChainHash.LENGTH];
            buffer.get(hash);
            return new Head(sequence, hash, buffer.getLong(), buffer.getLong());
        }
    }

    /** What one append did. */
    public record AppendResult(int appended, int duplicates) {
    }

    private AuditLog(Path directory, SigningKey signingKey, Clock clock, long checkpointEvery, boolean syncWrites) {
        this.signingKey = signingKey;
        this.clock = clock;
        this.checkpointEvery = checkpointEvery;
        try {
            Files.createDirectories(directory);
            blockCache = new LRUCache(64L << 20);
            // Memtables of all column families together stay under 256 MiB, whatever their count.
            dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                    .setMaxBackgroundJobs(2).setDbWriteBufferSize(256L << 20)
                    .setBytesPerSync(1 << 20).setWalBytesPerSync(1 << 20);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (String name : List.of("default", "records", "event_ids", "indexes", "offsets", "heads", "checkpoints")) {
                // Small memtables keep skiplist inserts cheap (measured: 16 MiB ingests ~20 % faster than 64 MiB);
                // four of them let ingest run on while one flushes.
                ColumnFamilyOptions options = new ColumnFamilyOptions()
                        .setWriteBufferSize(16L << 20).setMaxWriteBufferNumber(4)
                        .setCompactionStyle(CompactionStyle.UNIVERSAL)
                        .setCompressionType(CompressionType.LZ4_COMPRESSION)
                        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache)
                                .setFilterPolicy(new BloomFilter(10, false)));
                columnFamilyOptions.add(options);
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), options));
            }
            db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            records = handles.get(1);
            eventIds = handles.get(2);
            indexes = handles.get(3);
            offsets = handles.get(4);
            heads = handles.get(5);
            checkpoints = handles.get(6);
            writeOptions = new WriteOptions().setSync(syncWrites);
            try (RocksIterator iterator = db.newIterator(heads)) {
                for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
                    headByTenant.put(new String(iterator.key(), StandardCharsets.UTF_8), Head.decode(iterator.value()));
                }
            }
            stagedHeads.putAll(headByTenant);
        } catch (RocksDBException e) {
            throw new AuditStoreException("Cannot open the audit store in " + directory + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the audit store directory " + directory, e);
        }
    }

    /**
     * @param checkpointEvery a signed checkpoint is written at least every this many records per tenant
     * @param syncWrites      fsync every write: survives power loss, not only a killed process
     */
    public static AuditLog open(Path directory, SigningKey signingKey, Clock clock, long checkpointEvery,
                                boolean syncWrites) {
        return new AuditLog(directory, signingKey, clock, checkpointEvery, syncWrites);
    }

    /** The next offset to read per partition of the topic, as last written with the records. */
    public Map<TopicPartition, Long> nextOffsets(String topic, int partitions) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            byte[] value = get(offsets, Keys.partition(topic, partition));
            if (value != null) {
                positions.put(new TopicPartition(topic, partition), Keys.longOf(value));
            }
        }
        return positions;
    }

    /**
     * Appends the records to their tenants' chains and records the consumed offsets, atomically,
     * and returns once they are written. A record whose tenant already holds its eventId is
     * skipped and counted as a duplicate.
     */
    public AppendResult append(List<AuditRecord> batchRecords, Map<TopicPartition, Long> nextOffsets) {
        return await(appendAsync(batchRecords.stream().map(PreparedRecord::of).toList(), nextOffsets));
    }

    /**
     * Stages the records on this thread and returns the pending write, so that the caller can
     * prepare the next batch while this one is written. Batches are written in the order of calls.
     */
    public Future<AppendResult> appendAsync(List<PreparedRecord> batchRecords, Map<TopicPartition, Long> nextOffsets) {
        synchronized (chainLock) {
            if (writeFailure != null) {
                throw new AuditStoreException("The audit store stopped writing after a failed write; restart it: "
                        + writeFailure.getMessage(), writeFailure);
            }
            StagedBatch staged = stage(batchRecords, nextOffsets);
            return writer.submit(() -> write(staged));
        }
    }

    /** A write batch with what it changes in memory once written. */
    private record StagedBatch(WriteBatch batch, Map<String, Head> heads, List<String> ids, int records,
                               int duplicates) {
    }

    private StagedBatch stage(List<PreparedRecord> batchRecords, Map<TopicPartition, Long> nextOffsets) {
        long now = clock.millis();
        Map<String, Head> pending = new HashMap<>();
        List<String> ids = new ArrayList<>(batchRecords.size());
        int duplicates = 0;
        List<byte[]> stored = storedSequences(batchRecords.stream().map(PreparedRecord::eventIdKey).toList());
        WriteBatch batch = new WriteBatch();
        try {
            for (int i = 0; i < batchRecords.size(); i++) {
                PreparedRecord record = batchRecords.get(i);
                String tenant = record.tenantId();
                String id = tenant + '\0' + record.eventId();
                if (stored.get(i) != null || !idsInFlight.add(id)) {
                    duplicates++;
                    continue;
                }
                ids.add(id);
                Head head = pending.computeIfAbsent(tenant, t -> stagedHeads.getOrDefault(t, Head.EMPTY));
                long sequence = head.sequence() + 1;
                byte[] hash = ChainHash.next(head.hash(), sequence, record.canonicalJson());
                batch.put(records, Keys.record(tenant, sequence),
                        StoredRecord.value(now, head.hash(), hash, record.canonicalJson()));
                batch.put(eventIds, record.eventIdKey(), Keys.longValue(sequence));
                for (byte[] indexPrefix : record.indexPrefixes()) {
                    batch.put(indexes, Keys.withSequence(indexPrefix, sequence), NO_VALUE);
                }
                head = new Head(sequence, hash, head.retainedAfter(), head.lastCheckpoint());
                if (sequence - head.lastCheckpoint() >= checkpointEvery) {
                    head = writeCheckpoint(batch, tenant, head, now);
                }
                pending.put(tenant, head);
            }
            nextOffsets.forEach((partition, offset) ->
                    put(batch, offsets, Keys.partition(partition.topic(), partition.partition()), Keys.longValue(offset)));
            pending.forEach((tenant, head) -> put(batch, heads, tenant.getBytes(StandardCharsets.UTF_8), head.encode()));
        } catch (RocksDBException | RuntimeException e) {
            batch.close();
            idsInFlight.removeAll(ids);
            throw e instanceof AuditStoreException store ? store
                    : new AuditStoreException("Cannot stage a write: " + e.getMessage(), e);
        }
        stagedHeads.putAll(pending);
        return new StagedBatch(batch, pending, ids, batchRecords.size() - duplicates, duplicates);
    }

    private AppendResult write(StagedBatch staged) {
        try (WriteBatch batch = staged.batch()) {
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            // The staged heads now run ahead of the disk: refuse further appends until a restart reloads them.
            writeFailure = new AuditStoreException("Cannot write to the audit store: " + e.getMessage(), e);
            throw writeFailure;
        }
        headByTenant.putAll(staged.heads());
        idsInFlight.removeAll(staged.ids());
        duplicatesSkipped.addAndGet(staged.duplicates());
        return new AppendResult(staged.records(), staged.duplicates());
    }

    /** Waits until every batch staged so far is written. */
    private void awaitWrites() {
        await(writer.submit(() -> new AppendResult(0, 0)));
    }

    private static AppendResult await(Future<AppendResult> write) {
        try {
            return write.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AuditStoreException("Writing to the audit store failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditStoreException("Interrupted while writing to the audit store", e);
        }
    }

    /** Signs a checkpoint at every tenant's head that has moved since its last checkpoint. */
    public int checkpointHeads() {
        synchronized (chainLock) {
            awaitWrites();
            return checkpointWrittenHeads();
        }
    }

    private int checkpointWrittenHeads() {
        long now = clock.millis();
        Map<String, Head> pending = new HashMap<>();
        try (WriteBatch batch = new WriteBatch()) {
            headByTenant.forEach((tenant, head) -> {
                if (head.sequence() > head.lastCheckpoint()) {
                    Head updated = writeCheckpoint(batch, tenant, head, now);
                    put(batch, heads, tenant.getBytes(StandardCharsets.UTF_8), updated.encode());
                    pending.put(tenant, updated);
                }
            });
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new AuditStoreException("Cannot write checkpoints: " + e.getMessage(), e);
        }
        headByTenant.putAll(pending);
        stagedHeads.putAll(pending);
        return pending.size();
    }

    private Head writeCheckpoint(WriteBatch batch, String tenant, Head head, long now) {
        Checkpoint unsigned = new Checkpoint(tenant, head.sequence(), ChainHash.hex(head.hash()), now, null);
        Checkpoint signed = new Checkpoint(tenant, head.sequence(), unsigned.chainHash(), now,
                signingKey.sign(unsigned.signedBytes()));
        put(batch, checkpoints, Keys.record(tenant, head.sequence()), signed.toJson());
        return new Head(head.sequence(), head.hash(), head.retainedAfter(), head.sequence());
    }

    /** One lookup for a whole batch: most ids are new, which bloom filters tell without a disk read. */
    private List<byte[]> storedSequences(List<byte[]> eventIdKeys) {
        if (eventIdKeys.isEmpty()) {
            return List.of();
        }
        try {
            return db.multiGetAsList(Collections.nCopies(eventIdKeys.size(), eventIds), eventIdKeys);
        } catch (RocksDBException e) {
            throw new AuditStoreException("Cannot read the audit store: " + e.getMessage(), e);
        }
    }

    Head head(String tenant) {
        return headByTenant.getOrDefault(tenant, Head.EMPTY);
    }

    /** The sequence of the tenant's newest record; 0 when it has none. */
    public long headSequence(String tenant) {
        return head(tenant).sequence();
    }

    public Set<String> tenants() {
        return Set.copyOf(headByTenant.keySet());
    }

    public long duplicatesSkipped() {
        return duplicatesSkipped.get();
    }

    public Optional<StoredRecord> record(String tenant, long sequence) {
        byte[] value = get(records, Keys.record(tenant, sequence));
        return value == null ? Optional.empty() : Optional.of(StoredRecord.decode(tenant, sequence, value));
    }

    public Optional<StoredRecord> byEventId(String tenant, String eventId) {
        byte[] sequence = get(eventIds, Keys.eventId(tenant, eventId));
        return sequence == null ? Optional.empty() : record(tenant, Keys.longOf(sequence));
    }

    /** Searches one tenant's records, newest first, through the most selective index the query allows. */
    public Page search(AuditQuery query) {
        List<StoredRecord> found = new ArrayList<>();
        long last = query.beforeSequence();
        int examined = 0;
        try (SequenceSource candidates = candidates(query)) {
            for (long sequence = candidates.next(); sequence > 0; sequence = candidates.next()) {
                last = sequence;
                Optional<StoredRecord> record = record(query.tenantId(), sequence);
                if (record.isPresent() && query.matches(record.get().record())) {
                    found.add(record.get());
                    if (found.size() == query.limit()) {
                        return new Page(found, candidates.next() > 0 ? sequence : null);
                    }
                }
                if (++examined >= MAX_CANDIDATES_PER_PAGE) {
                    return new Page(found, sequence > 1 ? sequence : null);
                }
            }
        }
        return new Page(found, null);
    }

    private SequenceSource candidates(AuditQuery query) {
        String tenant = query.tenantId();
        long before = query.beforeSequence();
        if (query.actor() != null) {
            return new IndexScan(db.newIterator(indexes), Keys.indexValuePrefix(IndexField.ACTOR, tenant, query.actor()), before);
        }
        if (query.resourceId() != null) {
            return new IndexScan(db.newIterator(indexes),
                    Keys.indexValuePrefix(IndexField.RESOURCE, tenant, query.resourceId()), before);
        }
        if (query.actionPrefix() != null) {
            return actionScan(tenant, query.actionPrefix(), before);
        }
        if (query.outcome() != null) {
            return new IndexScan(db.newIterator(indexes), Keys.indexValuePrefix(IndexField.OUTCOME, tenant, query.outcome()), before);
        }
        if (query.from() != null || query.to() != null) {
            Optional<SequenceSource> inRange = timeRange(query);
            if (inRange.isPresent()) {
                return inRange.get();
            }
        }
        return new IndexScan(db.newIterator(records), Keys.tenantPrefix(tenant), before);
    }

    /** Every distinct action under the prefix has its own index range; merge them newest first. */
    private SequenceSource actionScan(String tenant, String actionPrefix, long before) {
        byte[] scanPrefix = Keys.indexPrefixScan(IndexField.ACTION, tenant, actionPrefix);
        int tenantLength = Keys.tenantPrefix(tenant).length;
        List<SequenceSource> ranges = new ArrayList<>();
        try (RocksIterator iterator = db.newIterator(indexes)) {
            iterator.seek(scanPrefix);
            while (iterator.isValid() && Keys.startsWith(iterator.key(), scanPrefix)) {
                String action = Keys.indexedValueOf(iterator.key(), tenantLength);
                byte[] valuePrefix = Keys.indexValuePrefix(IndexField.ACTION, tenant, action);
                ranges.add(new IndexScan(db.newIterator(indexes), valuePrefix, before));
                iterator.seek(Keys.after(valuePrefix));
            }
        }
        return new MergedScan(ranges);
    }

    /** Yields sequence numbers in descending order; 0 when exhausted. */
    private interface SequenceSource extends AutoCloseable {
        long next();

        @Override
        void close();
    }

    /** Walks the keys under a prefix backwards from the cursor; each key ends in a sequence number. */
    /**
     * Records with occurredAt in the query's range, found through the time index, newest sequence
     * first; empty when the range holds more than {@link #MAX_CANDIDATES_PER_PAGE} records, for then
     * matches are dense and a plain scan of the records finds a page sooner.
     */
    private Optional<SequenceSource> timeRange(AuditQuery query) {
        byte[] prefix = Keys.timeIndexPrefix(query.tenantId());
        long from = query.from() == null ? Long.MIN_VALUE : query.from().toEpochMilli();
        long to = query.to() == null ? Long.MAX_VALUE : query.to().toEpochMilli();
        List<Long> sequences = new ArrayList<>();
        try (RocksIterator iterator = db.newIterator(indexes)) {
            for (iterator.seek(Keys.timeIndex(query.tenantId(), from, 0)); iterator.isValid()
                    && Keys.startsWith(iterator.key(), prefix); iterator.next()) {
                byte[] key = iterator.key();
                if (Keys.timeOf(key) >= to) {
                    break;
                }
                if (sequences.size() == MAX_CANDIDATES_PER_PAGE) {
                    return Optional.empty();
                }
                long sequence = Keys.sequenceAtEnd(key);
                if (sequence < query.beforeSequence()) {
                    sequences.add(sequence);
                }
            }
        }
        long[] descending = sequences.stream().mapToLong(Long::longValue).sorted().toArray();
        return Optional.of(new SequenceSource() {
            private int next = descending.length - 1;

            @Override
            public long next() {
                return next >= 0 ? descending[next--] : 0;
            }

            @Override
            public void close() {
            }
        });
    }

    private static final class IndexScan implements SequenceSource {
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
            if (!iterator.isValid() || !Keys.startsWith(iterator.key(), prefix)) {
                return 0;
            }
            long sequence = Keys.sequenceAtEnd(iterator.key());
            iterator.prev();
            return sequence;
        }

        @Override
        public void close() {
            iterator.close();
        }
    }

    private static final class MergedScan implements SequenceSource {
        private record Entry(long sequence, SequenceSource source) {
        }

        private final List<SequenceSource> sources;
        private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> Long.compare(b.sequence, a.sequence));

        MergedScan(List<SequenceSource> sources) {
            this.sources = sources;
            sources.forEach(this::advance);
        }

        private void advance(SequenceSource source) {
            long sequence = source.next();
            if (sequence > 0) {
                queue.add(new Entry(sequence, source));
            }
        }

        @Override
        public long next() {
            Entry top = queue.poll();
            if (top == null) {
                return 0;
            }
            advance(top.source);
            return top.sequence;
        }

        @Override
        public void close() {
            sources.forEach(SequenceSource::close);
        }
    }

    /** The tenant's signed checkpoints with sequence in [from, to], oldest first. */
    public List<Checkpoint> checkpoints(String tenant, long from, long to, int limit) {
        List<Checkpoint> found = new ArrayList<>();
        byte[] prefix = Keys.tenantPrefix(tenant);
        try (RocksIterator iterator = db.newIterator(checkpoints)) {
            for (iterator.seek(Keys.record(tenant, Math.max(from, 0))); iterator.isValid()
                    && Keys.startsWith(iterator.key(), prefix) && found.size() < limit; iterator.next()) {
                if (Keys.sequenceAtEnd(iterator.key()) > to) {
                    break;
                }
                found.add(Checkpoint.fromJson(iterator.value()));
            }
        }
        return found;
    }

    /** The newest checkpoint strictly before the sequence, if any. */
    Optional<Checkpoint> checkpointBefore(String tenant, long sequence) {
        byte[] prefix = Keys.tenantPrefix(tenant);
        try (RocksIterator iterator = db.newIterator(checkpoints)) {
            iterator.seekForPrev(Keys.record(tenant, sequence - 1));
            if (iterator.isValid() && Keys.startsWith(iterator.key(), prefix)) {
                return Optional.of(Checkpoint.fromJson(iterator.value()));
            }
        }
        return Optional.empty();
    }

    /**
     * Recomputes the tenant's chain over [from, to] (clamped to what is stored), starting at the
     * newest signed checkpoint before {@code from}, and checks every checkpoint on the way.
     */
    public ChainVerifier.Result verify(String tenant, long from, long to) {
        return walk(tenant, from, to, new ChainWalk() {
        });
    }

    /** Writes the tenant's records in [from, to] as JSON Lines an offline verifier can check (see docs/audit.md). */
    public ChainVerifier.Result export(String tenant, long from, long to, OutputStream out) {
        return walk(tenant, from, to, new ChainWalk() {
            @Override
            public void header(long start, long end) {
                Map<String, Object> header = new TreeMap<>();
                header.put("type", "export");
                header.put("tenantId", tenant);
                header.put("fromSequence", start);
                header.put("toSequence", end);
                header.put("exportedAt", clock.millis());
                header.put("hashAlgorithm", "SHA-256");
                header.put("signatureAlgorithm", SigningKey.ALGORITHM);
                header.put("publicKey", signingKey.publicKeyPem());
                writeLine(out, CanonicalJson.encode(header));
            }

            @Override
            public void checkpoint(Checkpoint checkpoint) {
                Map<String, Object> line = new TreeMap<>();
                line.put("type", "checkpoint");
                line.put("tenantId", checkpoint.tenantId());
                line.put("sequence", checkpoint.sequence());
                line.put("chainHash", checkpoint.chainHash());
                line.put("createdAt", checkpoint.createdAt());
                line.put("signature", checkpoint.signature());
                writeLine(out, CanonicalJson.encode(line));
            }

            @Override
            public void record(StoredRecord record) {
                String prefix = "{\"hash\":\"" + record.hashHex() + "\",\"prevHash\":\"" + record.previousHashHex()
                        + "\",\"record\":";
                String suffix = ",\"sequence\":" + record.sequence() + ",\"storedAt\":" + record.storedAt()
                        + ",\"type\":\"record\"}";
                try {
                    out.write(prefix.getBytes(StandardCharsets.UTF_8));
                    out.write(record.canonicalJson());
                    out.write(suffix.getBytes(StandardCharsets.UTF_8));
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    private static void writeLine(OutputStream out, byte[] json) {
        try {
            out.write(json);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a walk along the chain reports, for export; verification needs none of it. */
    private interface ChainWalk {
        default void header(long start, long end) {
        }

        default void checkpoint(Checkpoint checkpoint) {
        }

        default void record(StoredRecord record) {
        }
    }

    private ChainVerifier.Result walk(String tenant, long from, long to, ChainWalk walk) {
        Head head = head(tenant);
        long end = Math.min(to, head.sequence());
        long requestedStart = Math.max(Math.max(from, 1), head.retainedAfter() + 1);
        Optional<Checkpoint> anchor = requestedStart > 1 ? checkpointBefore(tenant, requestedStart) : Optional.empty();
        long start = anchor.map(checkpoint -> checkpoint.sequence() + 1).orElse(1L);
        ChainVerifier verifier = new ChainVerifier(tenant, signingKey.publicKey(), start,
                anchor.map(checkpoint -> ChainHash.fromHex(checkpoint.chainHash())).orElse(ChainHash.GENESIS));
        walk.header(start, end);
        if (anchor.isPresent()) {
            walk.checkpoint(anchor.get());
            if (!ChainVerifier.signatureValid(anchor.get(), signingKey.publicKey())) {
                ChainVerifier failed = new ChainVerifier(tenant, signingKey.publicKey(), anchor.get().sequence(),
                        ChainHash.GENESIS);
                failed.checkpoint(anchor.get());
                return failed.result();
            }
        }
        Map<Long, Checkpoint> checkpointsInRange = new TreeMap<>();
        checkpoints(tenant, start, end, Integer.MAX_VALUE).forEach(c -> checkpointsInRange.put(c.sequence(), c));
        byte[] prefix = Keys.tenantPrefix(tenant);
        try (RocksIterator iterator = db.newIterator(records)) {
            for (iterator.seek(Keys.record(tenant, start)); iterator.isValid()
                    && Keys.startsWith(iterator.key(), prefix); iterator.next()) {
                long sequence = Keys.sequenceAtEnd(iterator.key());
                if (sequence > end) {
                    break;
                }
                StoredRecord record = StoredRecord.decode(tenant, sequence, iterator.value());
                walk.record(record);
                if (!verifier.record(sequence, record.previousHashHex(), record.hashHex(), record.canonicalJson())) {
                    break;
                }
                Checkpoint checkpoint = checkpointsInRange.get(sequence);
                if (checkpoint != null) {
                    walk.checkpoint(checkpoint);
                    if (!verifier.checkpoint(checkpoint)) {
                        break;
                    }
                }
            }
        }
        verifier.end(end);
        return verifier.result();
    }

    /**
     * Deletes the tenant's records received before the cutoff, oldest first, after proving them
     * intact and signing a checkpoint at the last deleted sequence: the chain stays verifiable from
     * that boundary checkpoint on. Returns how many records were deleted.
     */
    public long deleteReceivedBefore(String tenant, long cutoffMillis) {
        synchronized (chainLock) {
            awaitWrites();
            return deleteWrittenBefore(tenant, cutoffMillis);
        }
    }

    private long deleteWrittenBefore(String tenant, long cutoffMillis) {
        Head head = head(tenant);
        List<StoredRecord> expired = new ArrayList<>();
        byte[] prefix = Keys.tenantPrefix(tenant);
        try (RocksIterator iterator = db.newIterator(records)) {
            for (iterator.seek(Keys.record(tenant, head.retainedAfter() + 1)); iterator.isValid()
                    && Keys.startsWith(iterator.key(), prefix); iterator.next()) {
                StoredRecord record = StoredRecord.decode(tenant, Keys.sequenceAtEnd(iterator.key()), iterator.value());
                if (record.record().path("receivedAt").asLong() >= cutoffMillis) {
                    break;
                }
                expired.add(record);
            }
        }
        if (expired.isEmpty()) {
            return 0;
        }
        long boundary = expired.get(expired.size() - 1).sequence();
        ChainVerifier.Result proof = verify(tenant, head.retainedAfter() + 1, boundary);
        if (!proof.verified() || proof.lastSequence() != boundary) {
            throw new AuditStoreException("Retention refused for tenant " + tenant + ": " + proof.reason()
                    + " Deleting records would hide the break; investigate it first.", null);
        }
        long now = clock.millis();
        try (WriteBatch batch = new WriteBatch()) {
            Head atBoundary = new Head(boundary, ChainHash.fromHex(proof.lastHash()), boundary, boundary);
            if (checkpointBefore(tenant, boundary + 1).map(c -> c.sequence() != boundary).orElse(true)) {
                writeCheckpoint(batch, tenant, atBoundary, now);
            }
            for (StoredRecord record : expired) {
                var json = record.record();
                batch.delete(records, Keys.record(tenant, record.sequence()));
                batch.delete(eventIds, Keys.eventId(tenant, json.path("eventId").asText()));
                for (byte[] indexPrefix : PreparedRecord.indexPrefixes(tenant, json.path("actorId").asText(),
                        json.path("action").asText(), json.path("resource").path("id").asText(),
                        json.path("outcome").asText(), json.path("occurredAt").asLong())) {
                    batch.delete(indexes, Keys.withSequence(indexPrefix, record.sequence()));
                }
            }
            Head current = head(tenant);
            Head updated = new Head(current.sequence(), current.hash(), boundary,
                    Math.max(current.lastCheckpoint(), boundary));
            put(batch, heads, tenant.getBytes(StandardCharsets.UTF_8), updated.encode());
            db.write(writeOptions, batch);
            headByTenant.put(tenant, updated);
            stagedHeads.put(tenant, updated);
        } catch (RocksDBException e) {
            throw new AuditStoreException("Cannot apply retention for tenant " + tenant + ": " + e.getMessage(), e);
        }
        return expired.size();
    }

    public String publicKeyPem() {
        return signingKey.publicKeyPem();
    }

    private byte[] get(ColumnFamilyHandle family, byte[] key) {
        try {
            return db.get(family, key);
        } catch (RocksDBException e) {
            throw new AuditStoreException("Cannot read the audit store: " + e.getMessage(), e);
        }
    }

    private static void put(WriteBatch batch, ColumnFamilyHandle family, byte[] key, byte[] value) {
        try {
            batch.put(family, key, value);
        } catch (RocksDBException e) {
            throw new AuditStoreException("Cannot stage a write: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        writeOptions.close();
        dbOptions.close();
        columnFamilyOptions.forEach(ColumnFamilyOptions::close);
        blockCache.close();
    }
}
