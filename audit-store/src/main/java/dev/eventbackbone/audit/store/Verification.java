package dev.eventbackbone.audit.store;

import dev.eventbackbone.audit.evidence.KeyHistory;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.merkle.CompactRange;
import dev.eventbackbone.audit.merkle.TreeHash;
import dev.eventbackbone.audit.store.AuditStorage.Family;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.rocksdb.RocksIterator;

/**
 * Re-checks a tenant's whole log inside the store: every leaf's content against its stored leaf
 * hash, the tree rebuilt from those hashes against every signed head at its size, and every head's
 * signature. It names the first leaf (or head) where anything differs.
 */
public final class Verification {

    private final AuditStorage storage;
    private final Appender appender;
    private final TreeHeads heads;

    Verification(AuditStorage storage, Appender appender, TreeHeads heads) {
        this.storage = storage;
        this.appender = appender;
        this.heads = heads;
    }

    /**
     * What a verification found.
     *
     * @param firstBadIndex  the first leaf whose content or hash does not hold, or null
     * @param leavesDeleted  leaves whose content retention deleted: their hashes are still checked in the tree
     * @param headsChecked   signed heads whose root was recomputed and whose signature holds
     */
    public record Result(String tenantId, boolean verified, Long firstBadIndex, String reason, long leavesChecked,
                         long leavesDeleted, long headsChecked, long treeSize, String rootHash) {
    }

    public Result verify(String tenant) {
        // Heads first: one signed between the two reads then never covers more than the size read.
        List<SignedTreeHead> signed = heads.all(tenant);
        long size = appender.treeSize(tenant);
        Map<String, KeyHistory.Entry> keys = heads.keysById();
        return storage.read(() -> {
            CompactRange rebuilt = CompactRange.empty();
            long checked = 0;
            long deleted = 0;
            int nextHead = 0;
            long headsChecked = 0;
            byte[] prefix = Keys.tenantPrefix(tenant);
            try (RocksIterator leaves = storage.iterator(Family.LEAVES)) {
                leaves.seek(prefix);
                for (long index = 0; index < size; index++) {
                    while (nextHead < signed.size() && signed.get(nextHead).treeSize() == index) {
                        String fault = checkHead(signed.get(nextHead), rebuilt, keys);
                        if (fault != null) {
                            return broken(tenant, index, fault, checked, deleted, headsChecked, rebuilt);
                        }
                        headsChecked++;
                        nextHead++;
                    }
                    byte[] stored = storage.get(Family.NODES, Keys.node(tenant, 0, index));
                    if (stored == null) {
                        return broken(tenant, index, "leaf " + index + " has no stored hash", checked, deleted,
                                headsChecked, rebuilt);
                    }
                    boolean present = leaves.isValid() && Keys.startsWith(leaves.key(), prefix)
                            && Keys.sequenceAtEnd(leaves.key()) == index;
                    if (present) {
                        StoredLeaf leaf = StoredLeaf.decode(tenant, index, leaves.value());
                        if (!Arrays.equals(leaf.leafHash(), stored)) {
                            return broken(tenant, index, "leaf " + index + "'s content does not match its hash: the"
                                    + " stored leaf was altered", checked, deleted, headsChecked, rebuilt);
                        }
                        leaves.next();
                        checked++;
                    } else {
                        deleted++;
                    }
                    rebuilt.append(stored, (level, nodeIndex, hash) -> {
                    });
                }
            }
            for (; nextHead < signed.size(); nextHead++) {
                String fault = checkHead(signed.get(nextHead), rebuilt, keys);
                if (fault != null) {
                    return broken(tenant, rebuilt.size(), fault, checked, deleted, headsChecked, rebuilt);
                }
                headsChecked++;
            }
            return new Result(tenant, true, null, null, checked, deleted, headsChecked, rebuilt.size(),
                    TreeHash.hex(rebuilt.root()));
        });
    }

    /** Null when the head is signed by this store and its root is the rebuilt tree's at its size. */
    private static String checkHead(SignedTreeHead head, CompactRange rebuilt, Map<String, KeyHistory.Entry> keys) {
        if (head.treeSize() > rebuilt.size()) {
            return "the head signed at " + head.timestamp() + " covers " + head.treeSize() + " leaves, more than the"
                    + " store holds";
        }
        KeyHistory.Entry signer = keys.get(head.keyId());
        if (signer == null || !head.signedBy(signer.publicKey())) {
            return "the head at tree size " + head.treeSize() + " has no valid signature by a key of this store"
                    + " (key id " + head.keyId() + ")";
        }
        if (signer.retiredAt() != null && head.timestamp() > signer.retiredAt()) {
            return "the head at tree size " + head.treeSize() + " was signed by key " + head.keyId()
                    + " after that key was retired";
        }
        if (!TreeHash.hex(rebuilt.root()).equals(head.rootHash())) {
            return "the tree rebuilt from the stored leaves does not match the signed head at size " + head.treeSize()
                    + ": leaves before it were altered, removed or reordered";
        }
        return null;
    }

    private static Result broken(String tenant, long index, String why, long checked, long deleted, long headsChecked,
                                 CompactRange rebuilt) {
        return new Result(tenant, false, index, "Log broken at leaf " + index + ": " + why + ".", checked, deleted,
                headsChecked, rebuilt.size(), TreeHash.hex(rebuilt.root()));
    }
}
