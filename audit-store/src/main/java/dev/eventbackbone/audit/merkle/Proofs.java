package dev.eventbackbone.audit.merkle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds and checks RFC 9162 proofs. Building reads only stored perfect subtrees (a
 * {@link NodeSource}): a proof for a tree of n leaves needs O(log n) of them, never the leaves.
 * Checking needs nothing but the proof, so an auditor can run it (or reimplement it from
 * docs/audit.md) without the store.
 */
public final class Proofs {

    private Proofs() {
    }

    /** The Merkle Tree Hash of the first {@code size} leaves. */
    public static byte[] root(NodeSource nodes, long size) {
        return size == 0 ? TreeHash.empty() : hash(nodes, 0, size);
    }

    /** The audit path of leaf {@code index} in the tree of {@code size} leaves: RFC 9162 PATH(m, D[n]). */
    public static List<byte[]> inclusion(NodeSource nodes, long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("Leaf " + index + " is not in a tree of " + size + " leaves");
        }
        List<byte[]> path = new ArrayList<>();
        path(nodes, index, 0, size, path);
        return path;
    }

    /** The proof that the tree of {@code first} leaves is a prefix of the one of {@code second}: RFC 9162 PROOF(m, D[n]). */
    public static List<byte[]> consistency(NodeSource nodes, long first, long second) {
        if (first < 0 || first > second) {
            throw new IllegalArgumentException("A tree of " + first + " leaves cannot be a prefix of one of " + second);
        }
        List<byte[]> proof = new ArrayList<>();
        if (first > 0 && first < second) {
            subproof(nodes, first, 0, second, true, proof);
        }
        return proof;
    }

    private static void path(NodeSource nodes, long index, long start, long end, List<byte[]> path) {
        long size = end - start;
        if (size == 1) {
            return;
        }
        long k = largestPowerOfTwoBelow(size);
        if (index - start < k) {
            path(nodes, index, start, start + k, path);
            path.add(hash(nodes, start + k, end));
        } else {
            path(nodes, index, start + k, end, path);
            path.add(hash(nodes, start, start + k));
        }
    }

    private static void subproof(NodeSource nodes, long first, long start, long end, boolean whole, List<byte[]> proof) {
        long size = end - start;
        if (first == size) {
            if (!whole) {
                proof.add(hash(nodes, start, end));
            }
            return;
        }
        long k = largestPowerOfTwoBelow(size);
        if (first <= k) {
            subproof(nodes, first, start, start + k, whole, proof);
            proof.add(hash(nodes, start + k, end));
        } else {
            subproof(nodes, first - k, start + k, end, false, proof);
            proof.add(hash(nodes, start, start + k));
        }
    }

    /** MTH(D[start:end]): one stored node when the range is a perfect, aligned subtree, else split as RFC 9162 does. */
    private static byte[] hash(NodeSource nodes, long start, long end) {
        long size = end - start;
        if (Long.bitCount(size) == 1 && start % size == 0) {
            int level = Long.numberOfTrailingZeros(size);
            return nodes.node(level, start >>> level);
        }
        long k = largestPowerOfTwoBelow(size);
        return TreeHash.node(hash(nodes, start, start + k), hash(nodes, start + k, end));
    }

    /** The largest power of two strictly less than {@code n} (n at least 2). */
    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }

    /** RFC 9162 §2.1.3.2: does {@code path} prove that {@code leafHash} is leaf {@code index} of the tree with {@code root}? */
    public static boolean verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> path, byte[] root) {
        if (index < 0 || index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : path) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = TreeHash.node(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                r = TreeHash.node(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && Arrays.equals(r, root);
    }

    /** RFC 9162 §2.1.4.2: does {@code proof} show that the tree of {@code first} leaves is a prefix of the tree of {@code second}? */
    public static boolean verifyConsistency(long first, long second, byte[] firstRoot, byte[] secondRoot,
                                            List<byte[]> proof) {
        if (first < 0 || first > second) {
            return false;
        }
        if (first == second) {
            return proof.isEmpty() && Arrays.equals(firstRoot, secondRoot);
        }
        if (first == 0) {
            return proof.isEmpty() && Arrays.equals(firstRoot, TreeHash.empty());
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(first) == 1) {
            path.add(0, firstRoot);
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = TreeHash.node(c, fr);
                sr = TreeHash.node(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                sr = TreeHash.node(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && Arrays.equals(fr, firstRoot) && Arrays.equals(sr, secondRoot);
    }
}
