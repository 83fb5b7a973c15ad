package dev.eventbackbone.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tree, its proofs and their checks against RFC 6962/9162's own test vectors and a naive recomputation. */
class ProofsTest {

    private static final HexFormat HEX = HexFormat.of();
    /** The leaves of the Certificate Transparency reference tests. */
    private static final List<byte[]> VECTOR_LEAVES = List.of("", "00", "10", "2021", "3031", "40414243",
            "5051525354555657", "606162636465666768696a6b6c6d6e6f").stream().map(HEX::parseHex).toList();
    private static final List<String> VECTOR_ROOTS = List.of(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    /** A tree kept in memory the way the store keeps it: every completed node by level and index. */
    private static final class Tree implements NodeSource {
        final Map<String, byte[]> nodes = new HashMap<>();
        final CompactRange range = CompactRange.empty();
        final List<byte[]> leaves = new ArrayList<>();

        void add(byte[] data) {
            leaves.add(data);
            range.append(TreeHash.leaf(data), (level, index, hash) -> nodes.put(level + "/" + index, hash));
        }

        @Override
        public byte[] node(int level, long index) {
            byte[] hash = nodes.get(level + "/" + index);
            assertThat(hash).as("node %d/%d asked for but never completed", level, index).isNotNull();
            return hash;
        }
    }

    private static Tree tree(int size) {
        Tree tree = new Tree();
        for (int i = 0; i < size; i++) {
            tree.add(("leaf " + i).getBytes());
        }
        return tree;
    }

    /** RFC 9162's definition, recursively over the leaves: the reference everything else must agree with. */
    private static byte[] naiveRoot(List<byte[]> leaves) {
        if (leaves.isEmpty()) {
            return TreeHash.empty();
        }
        if (leaves.size() == 1) {
            return TreeHash.leaf(leaves.get(0));
        }
        int k = Integer.highestOneBit(leaves.size() - 1);
        return TreeHash.node(naiveRoot(leaves.subList(0, k)), naiveRoot(leaves.subList(k, leaves.size())));
    }

    @Test
    void rootsMatchTheCertificateTransparencyTestVectors() {
        Tree tree = new Tree();
        assertThat(HEX.formatHex(tree.range.root()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        for (int i = 0; i < VECTOR_LEAVES.size(); i++) {
            tree.add(VECTOR_LEAVES.get(i));
            assertThat(HEX.formatHex(tree.range.root())).as("root of %d leaves", i + 1).isEqualTo(VECTOR_ROOTS.get(i));
            assertThat(HEX.formatHex(Proofs.root(tree, i + 1))).isEqualTo(VECTOR_ROOTS.get(i));
        }
    }

    @Test
    void theCompactRangeAndTheStoredNodesAgreeWithTheDefinitionAtEverySize() {
        Tree tree = new Tree();
        for (int size = 1; size <= 130; size++) {
            tree.add(("leaf " + size).getBytes());
            byte[] expected = naiveRoot(tree.leaves);
            assertThat(tree.range.root()).as("size %d", size).isEqualTo(expected);
            assertThat(Proofs.root(tree, size)).isEqualTo(expected);
            assertThat(CompactRange.of(size, tree).root()).isEqualTo(expected);
            assertThat(CompactRange.decode(tree.range.encode()).root()).isEqualTo(expected);
        }
    }

    @Test
    void everyLeafHasAnInclusionProofInEveryTreeThatHoldsIt() {
        Tree tree = tree(70);
        for (int size = 1; size <= 70; size++) {
            byte[] root = naiveRoot(tree.leaves.subList(0, size));
            for (int index = 0; index < size; index++) {
                List<byte[]> path = Proofs.inclusion(tree, index, size);
                assertThat(path.size()).isLessThanOrEqualTo(64 - Long.numberOfLeadingZeros(size - 1));
                assertThat(Proofs.verifyInclusion(index, size, TreeHash.leaf(tree.leaves.get(index)), path, root))
                        .as("leaf %d of %d", index, size).isTrue();
            }
        }
    }

    @Test
    void anInclusionProofFailsForAnotherLeafIndexSizeOrRootAndWhenCut() {
        Tree tree = tree(21);
        byte[] root = naiveRoot(tree.leaves);
        byte[] leaf = TreeHash.leaf(tree.leaves.get(13));
        List<byte[]> path = Proofs.inclusion(tree, 13, 21);

        assertThat(Proofs.verifyInclusion(13, 21, leaf, path, root)).isTrue();
        assertThat(Proofs.verifyInclusion(12, 21, leaf, path, root)).isFalse();
        assertThat(Proofs.verifyInclusion(13, 16, leaf, path, root)).isFalse();
        assertThat(Proofs.verifyInclusion(13, 21, TreeHash.leaf("forged".getBytes()), path, root)).isFalse();
        assertThat(Proofs.verifyInclusion(13, 21, leaf, path, naiveRoot(tree.leaves.subList(0, 20)))).isFalse();
        assertThat(Proofs.verifyInclusion(13, 21, leaf, path.subList(0, path.size() - 1), root)).isFalse();
        List<byte[]> longer = new ArrayList<>(path);
        longer.add(root);
        assertThat(Proofs.verifyInclusion(13, 21, leaf, longer, root)).isFalse();
        assertThat(Proofs.verifyInclusion(21, 21, leaf, path, root)).isFalse();
    }

    @Test
    void everyTreeIsProvablyAPrefixOfEveryLargerOne() {
        Tree tree = tree(70);
        for (int second = 0; second <= 70; second++) {
            byte[] secondRoot = naiveRoot(tree.leaves.subList(0, second));
            for (int first = 0; first <= second; first++) {
                byte[] firstRoot = naiveRoot(tree.leaves.subList(0, first));
                List<byte[]> proof = Proofs.consistency(tree, first, second);
                assertThat(Proofs.verifyConsistency(first, second, firstRoot, secondRoot, proof))
                        .as("%d is a prefix of %d", first, second).isTrue();
            }
        }
    }

    @Test
    void aConsistencyProofFailsForAForkedHistory() {
        Tree honest = tree(30);
        Tree forked = tree(30);
        forked.leaves.set(4, "rewritten".getBytes());
        byte[] forkedRoot = naiveRoot(forked.leaves.subList(0, 11));
        byte[] honestRoot = naiveRoot(honest.leaves);

        List<byte[]> proof = Proofs.consistency(honest, 11, 30);

        assertThat(Proofs.verifyConsistency(11, 30, naiveRoot(honest.leaves.subList(0, 11)), honestRoot, proof)).isTrue();
        assertThat(Proofs.verifyConsistency(11, 30, forkedRoot, honestRoot, proof)).isFalse();
        assertThat(Proofs.verifyConsistency(12, 30, naiveRoot(honest.leaves.subList(0, 11)), honestRoot, proof))
                .isFalse();
        assertThat(Proofs.verifyConsistency(11, 30, naiveRoot(honest.leaves.subList(0, 11)), honestRoot, List.of()))
                .isFalse();
        assertThat(Proofs.verifyConsistency(30, 11, honestRoot, honestRoot, proof)).isFalse();
    }
}
