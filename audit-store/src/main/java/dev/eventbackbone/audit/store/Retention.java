package dev.eventbackbone.audit.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.audit.store.AuditStorage.Family;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Deletes the content of leaves received before a cutoff. Only the content goes (the record, its
 * event id, its index entries): the tree's hashes stay, so every head, inclusion proof and
 * consistency proof keeps verifying, and an export shows the deleted leaves by their hashes. Each
 * leaf is checked against its stored hash before its content is deleted, so retention can never
 * hide tampering; it works in small batches without blocking appends, and a leaf dated in the
 * future is kept without holding back the ones after it.
 */
public final class Retention {

    /** Leaves looked at per batch: bounds memory and the time any one write takes. */
    static final int BATCH = 5_000;

    private final AuditStorage storage;

    Retention(AuditStorage storage) {
        this.storage = storage;
    }

    /** Raised when a leaf about to be deleted does not match its hash: the log was tampered with. */
    public static final class TamperingFound extends AuditStoreException {
        TamperingFound(String message) {
            super(message, null);
        }
    }

    /**
     * Deletes the content of the tenant's leaves whose {@code receivedAt} is before the cutoff and
     * returns how many were deleted. Stops without deleting anything more at the first leaf whose
     * content does not match its hash.
     */
    public long deleteReceivedBefore(String tenant, long cutoffMillis) {
        long deleted = 0;
        long next = 0;
        while (true) {
            Batch batch = nextBatch(tenant, next, cutoffMillis);
            if (!batch.expired().isEmpty()) {
                delete(tenant, batch.expired());
                deleted += batch.expired().size();
            }
            if (batch.exhausted()) {
                return deleted;
            }
            next = batch.resumeAt();
        }
    }

    private record Batch(List<StoredLeaf> expired, long resumeAt, boolean exhausted) {
    }

    private Batch nextBatch(String tenant, long from, long cutoffMillis) {
        return storage.read(() -> {
            List<StoredLeaf> expired = new ArrayList<>();
            byte[] prefix = Keys.tenantPrefix(tenant);
            int looked = 0;
            try (RocksIterator iterator = storage.iterator(Family.LEAVES)) {
                for (iterator.seek(Keys.leaf(tenant, from)); iterator.isValid()
                        && Keys.startsWith(iterator.key(), prefix); iterator.next()) {
                    long index = Keys.sequenceAtEnd(iterator.key());
                    if (looked++ == BATCH) {
                        return new Batch(expired, index, false);
                    }
                    StoredLeaf leaf = StoredLeaf.decode(tenant, index, iterator.value());
                    JsonNode receivedAt = leaf.content().path("receivedAt");
                    // A rejection leaf carries no receivedAt; it goes with the content around it, by its storage time.
                    long received = receivedAt.isNumber() ? receivedAt.asLong() : leaf.storedAt();
                    if (received < cutoffMillis) {
                        byte[] hash = storage.get(Family.NODES, Keys.node(tenant, 0, index));
                        if (hash == null || !Arrays.equals(hash, leaf.leafHash())) {
                            throw new TamperingFound("Retention refused for tenant " + tenant + ": leaf " + index
                                    + "'s content does not match its hash. Deleting it would hide the change;"
                                    + " investigate it first (GET /v1/audit/verify).");
                        }
                        expired.add(leaf);
                    }
                }
            }
            return new Batch(expired, Long.MAX_VALUE, true);
        });
    }

    private void delete(String tenant, List<StoredLeaf> expired) {
        try (WriteBatch batch = new WriteBatch()) {
            for (StoredLeaf leaf : expired) {
                JsonNode json = leaf.content();
                storage.delete(batch, Family.LEAVES, Keys.leaf(tenant, leaf.index()));
                if (!leaf.rejection()) {
                    storage.delete(batch, Family.EVENT_IDS, Keys.eventId(tenant, json.path("eventId").asText()));
                    for (byte[] indexPrefix : PreparedLeaf.indexPrefixes(tenant, json.path("actorId").asText(),
                            json.path("action").asText(), json.path("resource").path("id").asText(),
                            json.path("outcome").asText(), json.path("occurredAt").asLong())) {
                        storage.delete(batch, Family.INDEXES, Keys.withSequence(indexPrefix, leaf.index()));
                    }
                }
            }
            storage.write(batch);
        }
    }
}
