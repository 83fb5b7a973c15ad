package dev.eventbackbone.audit.store;

import dev.eventbackbone.audit.merkle.CompactRange;
import dev.eventbackbone.audit.merkle.TreeHash;
import dev.eventbackbone.audit.store.AuditStorage.Family;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Appends leaves to the tenants' Merkle trees. A batch of leaves, the tree nodes they complete,
 * their index entries, the trees' new right edges and the Kafka offsets consumed are written in one
 * atomic batch, so after a crash the store resumes exactly where its last write ended: nothing
 * lost, nothing twice, and every tree exactly as it was.
 *
 * <p>Appending is a pipeline of two steps. Staging (dedupe, leaf indexes, hashes, the write batch)
 * runs on the caller's thread under one lock; writing runs on one writer thread, in staging order.
 * So the next batch is staged while the previous one is written. Once a write fails, every batch
 * staged after it is refused: they were staged on a tree that is not on disk.
 */
public final class Appender implements AutoCloseable {

    private static final byte[] NO_VALUE = new byte[0];

    private final AuditStorage storage;
    private final SubjectKeyring keyring;
    private final Clock clock;
    private final Consumer<WriteBatch> batchWriter;
    /** The trees as written: what readers, proofs, heads and exports see. */
    private final Map<String, CompactRange> written = new ConcurrentHashMap<>();
    /** The trees including batches staged but not yet written; guarded by {@link #stagingLock}. */
    private final Map<String, CompactRange> staged = new HashMap<>();
    /** Event ids of batches staged but not yet written, so a retry in the very next poll is caught. */
    private final Set<String> idsInFlight = ConcurrentHashMap.newKeySet();
    private final Object stagingLock = new Object();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable ->
            new Thread(runnable, "audit-log-writer"));
    private volatile AuditStoreException writeFailure;
    private final AtomicLong duplicatesSkipped = new AtomicLong();

    /** What one append did. */
    public record AppendResult(int appended, int duplicates) {
    }

    /** A write batch with what it changes in memory once written. */
    private record StagedBatch(WriteBatch batch, Map<String, CompactRange> trees, List<String> ids, int leaves,
                               int duplicates) {
    }

    Appender(AuditStorage storage, SubjectKeyring keyring, Clock clock) {
        this(storage, keyring, clock, storage::write);
    }

    /** @param batchWriter applies a batch to the storage; tests hand in one that fails, to see what follows */
    Appender(AuditStorage storage, SubjectKeyring keyring, Clock clock, Consumer<WriteBatch> batchWriter) {
        this.storage = storage;
        this.keyring = keyring;
        this.clock = clock;
        this.batchWriter = batchWriter;
        storage.read(() -> {
            try (RocksIterator iterator = storage.iterator(Family.TREES)) {
                for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
                    written.put(Keys.tenantOf(iterator.key()), CompactRange.decode(iterator.value()));
                }
            }
            return null;
        });
        written.forEach((tenant, range) -> staged.put(tenant, range.copy()));
    }

    /**
     * Stages the leaves on this thread and returns the pending write, so that the caller can prepare
     * the next batch while this one is written. Batches are written in the order of calls. A record
     * leaf whose tenant already holds its eventId is skipped and counted as a duplicate.
     */
    public Future<AppendResult> appendAsync(List<PreparedLeaf> leaves, Map<TopicPartition, Long> nextOffsets) {
        synchronized (stagingLock) {
            AuditStoreException failed = writeFailure;
            if (failed != null) {
                throw new AuditStoreException("The audit store stopped writing after a failed write; restart it: "
                        + failed.getMessage(), failed);
            }
            StagedBatch batch = stage(leaves, nextOffsets);
            return writer.submit(() -> write(batch));
        }
    }

    /** Appends and waits until the batch is written. */
    public AppendResult append(List<PreparedLeaf> leaves, Map<TopicPartition, Long> nextOffsets) {
        return await(appendAsync(leaves, nextOffsets));
    }

    private StagedBatch stage(List<PreparedLeaf> leaves, Map<TopicPartition, Long> nextOffsets) {
        long now = clock.millis();
        Map<String, CompactRange> pending = new HashMap<>();
        List<String> ids = new ArrayList<>(leaves.size());
        int duplicates = 0;
        List<byte[]> eventIdKeys = new ArrayList<>();
        leaves.forEach(leaf -> {
            if (leaf.eventIdKey() != null) {
                eventIdKeys.add(leaf.eventIdKey());
            }
        });
        List<byte[]> stored = storage.multiGet(Family.EVENT_IDS, eventIdKeys);
        WriteBatch batch = new WriteBatch();
        try {
            int lookup = 0;
            for (PreparedLeaf leaf : leaves) {
                String tenant = leaf.tenantId();
                if (leaf.eventIdKey() != null) {
                    String id = tenant + '\0' + leaf.eventId();
                    if (stored.get(lookup++) != null || !idsInFlight.add(id)) {
                        duplicates++;
                        continue;
                    }
                    ids.add(id);
                }
                CompactRange range = pending.computeIfAbsent(tenant, t -> {
                    CompactRange known = staged.get(t);
                    return known == null ? CompactRange.empty() : known.copy();
                });
                long index = range.size();
                storage.put(batch, Family.LEAVES, Keys.leaf(tenant, index), StoredLeaf.value(now, leaf.canonicalJson()));
                range.append(TreeHash.leaf(leaf.canonicalJson()), (level, nodeIndex, hash) ->
                        storage.put(batch, Family.NODES, Keys.node(tenant, level, nodeIndex), hash));
                if (leaf.eventIdKey() != null) {
                    storage.put(batch, Family.EVENT_IDS, leaf.eventIdKey(), Keys.longValue(index));
                }
                for (byte[] indexPrefix : leaf.indexPrefixes()) {
                    storage.put(batch, Family.INDEXES, Keys.withSequence(indexPrefix, index), NO_VALUE);
                }
                if (leaf.erasure() != null) {
                    keyring.stageErasure(batch, tenant, leaf.erasure(), index);
                }
            }
            nextOffsets.forEach((partition, offset) -> storage.put(batch, Family.OFFSETS,
                    Keys.partition(partition.topic(), partition.partition()), Keys.longValue(offset)));
            pending.forEach((tenant, range) -> storage.put(batch, Family.TREES,
                    Keys.tenantPrefix(tenant), range.encode()));
        } catch (RuntimeException e) {
            batch.close();
            idsInFlight.removeAll(ids);
            throw e instanceof AuditStoreException store ? store
                    : new AuditStoreException("Cannot stage a write: " + e.getMessage(), e);
        }
        pending.forEach((tenant, range) -> staged.put(tenant, range.copy()));
        return new StagedBatch(batch, pending, ids, leaves.size() - duplicates, duplicates);
    }

    private AppendResult write(StagedBatch staged) {
        try (WriteBatch batch = staged.batch()) {
            AuditStoreException failed = writeFailure;
            if (failed != null) {
                throw new AuditStoreException("Not written: an earlier batch failed to write (" + failed.getMessage()
                        + "), and this one was staged on top of it", failed);
            }
            batchWriter.accept(batch);
        } catch (AuditStoreException e) {
            // The staged trees now run ahead of the disk: refuse everything after this until a restart reloads them.
            if (writeFailure == null) {
                writeFailure = e;
            }
            throw e;
        }
        staged.trees().forEach(written::put);
        idsInFlight.removeAll(staged.ids());
        duplicatesSkipped.addAndGet(staged.duplicates());
        return new AppendResult(staged.leaves(), staged.duplicates());
    }

    /** Waits until every batch staged so far is written. */
    void awaitWrites() {
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

    /** The next offset to read per partition of the topic, as last written with the leaves. */
    public Map<TopicPartition, Long> nextOffsets(String topic, int partitions) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            byte[] value = storage.get(Family.OFFSETS, Keys.partition(topic, partition));
            if (value != null) {
                positions.put(new TopicPartition(topic, partition), Keys.longOf(value));
            }
        }
        return positions;
    }

    /** The tenant's tree as written (its size and right edge); empty when it has no leaves. */
    public CompactRange tree(String tenant) {
        CompactRange range = written.get(tenant);
        return range == null ? CompactRange.empty() : range.copy();
    }

    public long treeSize(String tenant) {
        CompactRange range = written.get(tenant);
        return range == null ? 0 : range.size();
    }

    public Set<String> tenants() {
        return Set.copyOf(written.keySet());
    }

    public long duplicatesSkipped() {
        return duplicatesSkipped.get();
    }

    /** Why appending stopped, or null while it works. */
    public AuditStoreException writeFailure() {
        return writeFailure;
    }

    /** Stops the writer after the batches already staged. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
