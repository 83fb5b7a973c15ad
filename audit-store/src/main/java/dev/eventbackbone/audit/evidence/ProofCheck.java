package dev.eventbackbone.audit.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.audit.merkle.Proofs;
import dev.eventbackbone.audit.merkle.TreeHash;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks one proof as {@code GET /v1/audit/proofs/inclusion} or {@code /consistency} answers it,
 * offline: the head it comes with must be signed by the trusted key, and the proof must lead from
 * the leaf (or the older tree) to that head's root.
 */
public final class ProofCheck {

    private ProofCheck() {
    }

    /** What the check found; {@code problem} says what failed, null when the proof holds. */
    public record Result(boolean verified, String statement, String problem) {
    }

    /**
     * @param olderHead for a consistency proof: the head you held before, whose root the proof must
     *                  extend; null to take the older root from the answer (which proves less)
     */
    public static Result check(JsonNode answer, PublicKey trustedKey, SignedTreeHead olderHead) {
        SignedTreeHead head = SignedTreeHead.fromJson(answer.path("head"));
        if (!head.signedBy(trustedKey)) {
            return new Result(false, null, "the head the proof leads to is not signed by the trusted key (key id "
                    + head.keyId() + ")");
        }
        return switch (answer.path("type").asText()) {
            case "inclusion" -> inclusion(answer, head);
            case "consistency" -> consistency(answer, head, trustedKey, olderHead);
            default -> throw new IllegalArgumentException("Not a proof: type is '" + answer.path("type").asText()
                    + "', expected inclusion or consistency");
        };
    }

    private static Result inclusion(JsonNode answer, SignedTreeHead head) {
        long index = answer.path("leafIndex").asLong();
        byte[] leafHash = TreeHash.fromHex(answer.path("leafHash").asText());
        if (answer.hasNonNull("leaf") && !TreeHash.hex(TreeHash.leaf(CanonicalJson.encode(answer.path("leaf"))))
                .equals(answer.path("leafHash").asText())) {
            return new Result(false, null, "the leaf's content does not match its hash");
        }
        if (answer.path("treeSize").asLong() != head.treeSize()) {
            return new Result(false, null, "the proof is for " + answer.path("treeSize").asLong()
                    + " leaves but the head covers " + head.treeSize());
        }
        boolean holds = Proofs.verifyInclusion(index, head.treeSize(), leafHash, hashes(answer.path("auditPath")),
                TreeHash.fromHex(head.rootHash()));
        return holds ? new Result(true, "leaf " + index + " of tenant " + head.tenantId() + " is in the tree of "
                + head.treeSize() + " leaves signed at " + head.timestamp(), null)
                : new Result(false, null, "the audit path does not lead from leaf " + index + " to the signed root");
    }

    private static Result consistency(JsonNode answer, SignedTreeHead head, PublicKey trustedKey,
                                      SignedTreeHead olderHead) {
        long first = answer.path("firstTreeSize").asLong();
        String firstRoot = answer.path("firstRootHash").asText();
        if (olderHead != null) {
            if (!olderHead.signedBy(trustedKey) || !olderHead.tenantId().equals(head.tenantId())) {
                return new Result(false, null, "the older head you hold is not signed by the trusted key for tenant "
                        + head.tenantId());
            }
            if (olderHead.treeSize() != first) {
                return new Result(false, null, "the proof starts at " + first + " leaves, the head you hold covers "
                        + olderHead.treeSize());
            }
            firstRoot = olderHead.rootHash();
        }
        if (answer.path("secondTreeSize").asLong() != head.treeSize()) {
            return new Result(false, null, "the proof ends at " + answer.path("secondTreeSize").asLong()
                    + " leaves but the head covers " + head.treeSize());
        }
        boolean holds = Proofs.verifyConsistency(first, head.treeSize(), TreeHash.fromHex(firstRoot),
                TreeHash.fromHex(head.rootHash()), hashes(answer.path("proof")));
        return holds ? new Result(true, "the tree of " + first + " leaves (root " + firstRoot + ") is a prefix of the"
                + " tree of " + head.treeSize() + " leaves signed at " + head.timestamp(), null)
                : new Result(false, null, "the tree of " + first + " leaves is not a prefix of the signed tree of "
                + head.treeSize() + ": the log was rewritten");
    }

    private static List<byte[]> hashes(JsonNode array) {
        List<byte[]> hashes = new ArrayList<>();
        array.forEach(hash -> hashes.add(TreeHash.fromHex(hash.asText())));
        return hashes;
    }
}
