package dev.eventbackbone.audit.merkle;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of a Merkle tree: the roots of the perfect subtrees that together cover all
 * leaves, largest first (one per set bit of the tree size). It is all an append needs: adding a
 * leaf merges equal-sized subtrees, and each merge completes a node that will never change, which
 * the caller stores for proofs. The tree's root folds the edge from the smallest subtree up, which
 * is RFC 9162's Merkle Tree Hash for any size.
 */
public final class CompactRange {

    /** Receives each node an append completes, the leaf itself included (level 0). */
    @FunctionalInterface
    public interface CompletedNodes {
        void completed(int level, long index, byte[] hash);
    }

    private long size;
    /** Subtree roots, largest (lowest index) first. */
    private final List<byte[]> edge;

    private CompactRange(long size, List<byte[]> edge) {
        this.size = size;
        this.edge = edge;
    }

    public static CompactRange empty() {
        return new CompactRange(0, new ArrayList<>());
    }

    /** The edge of a tree of {@code size} leaves, read from its stored perfect subtrees. */
    public static CompactRange of(long size, NodeSource nodes) {
        List<byte[]> edge = new ArrayList<>();
        long start = 0;
        for (int level = 63; level >= 0; level--) {
            if ((size >>> level & 1) == 1) {
                edge.add(nodes.node(level, start >>> level));
                start += 1L << level;
            }
        }
        return new CompactRange(size, edge);
    }

    public long size() {
        return size;
    }

    /** Adds the next leaf (its {@link TreeHash#leaf} hash) and reports every node that became complete. */
    public void append(byte[] leafHash, CompletedNodes completed) {
        long index = size;
        completed.completed(0, index, leafHash);
        byte[] hash = leafHash;
        int level = 0;
        while ((index >>> level & 1) == 1) {
            hash = TreeHash.node(edge.remove(edge.size() - 1), hash);
            level++;
            completed.completed(level, index >>> level, hash);
        }
        edge.add(hash);
        size++;
    }

    /** The Merkle Tree Hash of the leaves so far. */
    public byte[] root() {
        if (edge.isEmpty()) {
            return TreeHash.empty();
        }
        byte[] root = edge.get(edge.size() - 1);
        for (int i = edge.size() - 2; i >= 0; i--) {
            root = TreeHash.node(edge.get(i), root);
        }
        return root;
    }

    public CompactRange copy() {
        return new CompactRange(size, new ArrayList<>(edge));
    }

    /** {@code size(8) ‖ edge hashes}: how a tenant's append state is kept between restarts. */
    public byte[] encode() {
        ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES + edge.size() * TreeHash.LENGTH).putLong(size);
        edge.forEach(buffer::put);
        return buffer.array();
    }

    public static CompactRange decode(byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        long size = buffer.getLong();
        List<byte[]> edge = new ArrayList<>(Long.bitCount(size));
        for (int i = 0; i < Long.bitCount(size); i++) {
            byte[] hash = new byte[TreeHash.LENGTH];
            buffer.get(hash);
            edge.add(hash);
        }
        return new CompactRange(size, edge);
    }

    /** The edge's hashes, largest subtree first: what an export hands a verifier that starts mid-tree. */
    public List<byte[]> hashes() {
        return List.copyOf(edge);
    }

    /** An edge handed over by an export that starts at leaf {@code size}. */
    public static CompactRange of(long size, List<byte[]> hashes) {
        if (hashes.size() != Long.bitCount(size)) {
            throw new IllegalArgumentException("A tree of " + size + " leaves has " + Long.bitCount(size)
                    + " edge hashes, not " + hashes.size());
        }
        return new CompactRange(size, new ArrayList<>(hashes));
    }
}
