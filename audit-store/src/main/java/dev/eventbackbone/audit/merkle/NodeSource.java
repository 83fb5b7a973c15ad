package dev.eventbackbone.audit.merkle;

/**
 * The stored hashes of a tree's perfect subtrees: the node at {@code level} and {@code index}
 * covers the leaves {@code [index * 2^level, (index + 1) * 2^level)}; level 0 is the leaf hashes.
 * Only subtrees whose leaves all exist are asked for.
 */
@FunctionalInterface
public interface NodeSource {

    byte[] node(int level, long index);
}
