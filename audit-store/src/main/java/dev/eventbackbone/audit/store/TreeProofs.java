package dev.eventbackbone.audit.store;

import dev.eventbackbone.audit.merkle.NodeSource;
import dev.eventbackbone.audit.merkle.Proofs;
import dev.eventbackbone.audit.store.AuditStorage.Family;
import java.util.List;
import java.util.Optional;

/**
 * Inclusion and consistency proofs from the stored tree nodes: O(log n) node reads each, never the
 * leaves, so a proof costs the same for a tree of a thousand leaves or a billion, and still works
 * after retention deleted the leaves' content (their hashes are kept).
 */
public final class TreeProofs {

    private final AuditStorage storage;
    private final Appender appender;

    TreeProofs(AuditStorage storage, Appender appender) {
        this.storage = storage;
        this.appender = appender;
    }

    /** A leaf, its hash and its audit path in the tree of {@code treeSize} leaves. */
    public record Inclusion(long leafIndex, long treeSize, byte[] leafHash, List<byte[]> path) {
    }

    /** The leaf index of the tenant's record with this event id, if it holds one. */
    public Optional<Long> indexOf(String tenant, String eventId) {
        byte[] index = storage.get(Family.EVENT_IDS, Keys.eventId(tenant, eventId));
        return index == null ? Optional.empty() : Optional.of(Keys.longOf(index));
    }

    /** Proves that leaf {@code index} is in the tenant's tree of {@code treeSize} leaves (at most the current size). */
    public Inclusion inclusion(String tenant, long index, long treeSize) {
        requireWithin(tenant, treeSize);
        NodeSource nodes = nodes(tenant);
        return storage.read(() -> new Inclusion(index, treeSize, nodes.node(0, index),
                Proofs.inclusion(nodes, index, treeSize)));
    }

    /** Proves that the tenant's tree of {@code first} leaves is a prefix of its tree of {@code second}. */
    public List<byte[]> consistency(String tenant, long first, long second) {
        requireWithin(tenant, second);
        NodeSource nodes = nodes(tenant);
        return storage.read(() -> Proofs.consistency(nodes, first, second));
    }

    /** The Merkle root of the tenant's first {@code treeSize} leaves. */
    public byte[] root(String tenant, long treeSize) {
        requireWithin(tenant, treeSize);
        NodeSource nodes = nodes(tenant);
        return storage.read(() -> Proofs.root(nodes, treeSize));
    }

    private void requireWithin(String tenant, long treeSize) {
        long size = appender.treeSize(tenant);
        if (treeSize > size) {
            throw new IllegalArgumentException("The tree has " + size + " leaves, not " + treeSize);
        }
    }

    NodeSource nodes(String tenant) {
        return (level, index) -> {
            byte[] hash = storage.get(Family.NODES, Keys.node(tenant, level, index));
            if (hash == null) {
                throw new AuditStoreException("Tree node " + level + "/" + index + " of tenant " + tenant
                        + " is missing from the store", null);
            }
            return hash;
        };
    }
}
