package dev.eventbackbone.audit.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.audit.merkle.CompactRange;
import dev.eventbackbone.audit.merkle.TreeHash;
import dev.eventbackbone.contracts.audit.PersonalSeal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks an audit export (JSON Lines from {@code GET /v1/audit/export}) offline, trusting nothing
 * in it but what a trusted key signed: every leaf's hash is recomputed from its content, the
 * Merkle tree is rebuilt, and every signed head in the export must match the rebuilt tree at its
 * size and carry a valid signature by a trusted key (the key given, or one it endorsed). The
 * export verifies only when every leaf is covered by such a head. With a head obtained separately
 * (from {@code audit.heads} or an earlier export), it also proves that no leaf up to that head was
 * cut from the end. It names the first fault.
 */
public final class ExportVerifier {

    private ExportVerifier() {
    }

    /**
     * What an offline verification found.
     *
     * @param firstBadIndex the leaf where the first fault shows, or null
     * @param signedThrough how many leaves the newest valid head covers
     */
    public record Outcome(String tenantId, boolean verified, Long firstBadIndex, String reason, long leavesChecked,
                          long leavesDeleted, long headsChecked, long treeSize, String rootHash, long signedThrough,
                          long leavesErased) {
    }

    /**
     * @param trustedKey the store's public key obtained out of band (or an older key that endorsed the current one)
     * @param heldHead   a head obtained separately that the export must reach and agree with; null for none
     */
    public static Outcome verify(BufferedReader lines, PublicKey trustedKey, SignedTreeHead heldHead) {
        return new Run(trustedKey, heldHead).read(lines);
    }

    private record ErasureClaim(String keyId, long recordIndex, long claimingLeaf) {
    }

    private static final class Run {
        private final PublicKey trustedKey;
        private final SignedTreeHead heldHead;
        private final List<KeyEndorsement> endorsements = new ArrayList<>();
        private String tenant;
        private CompactRange tree;
        private long checked;
        private long deleted;
        private long erased;
        /** Erasures leaves claim: the key, the leaf that must record it, and the claiming leaf; checked at the end. */
        private final List<ErasureClaim> claimedErasures = new ArrayList<>();
        /** Key ids the export's own erasure records name, by leaf index. */
        private final Map<Long, Set<String>> erasureRecords = new HashMap<>();
        private long from;
        private long headsChecked;
        private long signedThrough;
        private Long firstBad;
        private String reason;

        Run(PublicKey trustedKey, SignedTreeHead heldHead) {
            this.trustedKey = trustedKey;
            this.heldHead = heldHead;
        }

        Outcome read(BufferedReader lines) {
            try {
                String headerLine = lines.readLine();
                if (headerLine == null) {
                    throw new IllegalArgumentException("The export is empty: its first line must be the export header.");
                }
                JsonNode header = parse(headerLine, 1);
                if (!"export".equals(header.path("type").asText())) {
                    throw new IllegalArgumentException("Line 1 is not an export header (type \"export\").");
                }
                tenant = header.path("tenantId").asText();
                from = header.path("fromIndex").asLong();
                tree = from == 0 ? CompactRange.empty() : null;
                signedThrough = from;
                if (heldHead != null && !checkHeldHeadSignature()) {
                    return outcome();
                }
                String line;
                int number = 1;
                while (firstBad == null && (line = lines.readLine()) != null) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode node = parse(line, number);
                    switch (node.path("type").asText()) {
                        case "key" -> endorsements.add(KeyEndorsement.fromJson(node));
                        case "edge" -> edge(node, from);
                        case "leaf" -> leaf(node, number);
                        case "head" -> head(SignedTreeHead.fromJson(node));
                        default -> throw new IllegalArgumentException("Line " + number + " has unknown type '"
                                + node.path("type").asText() + "'.");
                    }
                }
                if (firstBad == null) {
                    finish();
                }
                return outcome();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the export", e);
            }
        }

        private void edge(JsonNode node, long from) {
            List<byte[]> hashes = new ArrayList<>();
            node.path("hashes").forEach(hash -> hashes.add(TreeHash.fromHex(hash.asText())));
            if (node.path("treeSize").asLong() != from) {
                fail(from, "the tree's edge is given for " + node.path("treeSize").asLong() + " leaves, but the export"
                        + " starts at leaf " + from);
                return;
            }
            tree = CompactRange.of(from, hashes);
            checkHeldHeadAt(tree.size());
        }

        private void leaf(JsonNode node, int line) {
            if (tree == null) {
                throw new IllegalArgumentException("Line " + line + ": an export that starts after leaf 0 must give"
                        + " the tree's edge (type \"edge\") before its first leaf.");
            }
            long index = node.path("index").asLong(-1);
            long expected = tree.size();
            if (index != expected) {
                fail(Math.min(index < 0 ? expected : index, expected), index > expected
                        ? "leaf " + expected + " is missing: the next leaf in the export is " + index
                        : "leaf " + index + " appears again or out of order after leaf " + (expected - 1));
                return;
            }
            byte[] hash;
            if (node.path("deleted").asBoolean(false)) {
                hash = TreeHash.fromHex(node.path("leafHash").asText());
                deleted++;
            } else {
                hash = TreeHash.leaf(CanonicalJson.encode(node.path("leaf")));
                if (node.has("leafHash") && !TreeHash.hex(hash).equals(node.path("leafHash").asText())) {
                    fail(index, "leaf " + index + "'s content does not match its hash: the leaf was altered");
                    return;
                }
                checked++;
                String fault = personalFault(node.path("leaf"), node.path("personal"), index);
                if (fault != null) {
                    fail(index, fault);
                    return;
                }
            }
            tree.append(hash, (level, nodeIndex, nodeHash) -> {
            });
            checkHeldHeadAt(tree.size());
        }

        /**
         * Null when what the export says of the leaf's sealed fields holds: opened fields must be what
         * the leaf's ciphertext holds under the key given beside them, and an erasure must be recorded
         * by the leaf it names (when that leaf is in the export). Else what is wrong.
         */
        private String personalFault(JsonNode leaf, JsonNode personal, long index) {
            if (PersonalSeal.ERASED_ACTION.equals(leaf.path("action").asText())
                    && PersonalSeal.NORMALIZER_SOURCE.equals(leaf.path("source").asText())) {
                erasureRecords.computeIfAbsent(index, i -> new HashSet<>())
                        .add(leaf.path("metadata").path("keyId").asText());
            }
            JsonNode sealed = leaf.path("sealed");
            if (personal.isMissingNode()) {
                return null;
            }
            if (!sealed.isObject()) {
                return "leaf " + index + " has personal fields beside it but seals none";
            }
            String keyId = sealed.path("keyId").asText();
            if (!keyId.equals(personal.path("keyId").asText())) {
                return "leaf " + index + "'s personal fields name key " + personal.path("keyId").asText()
                        + ", but it is sealed with key " + keyId;
            }
            switch (personal.path("state").asText()) {
                case "readable" -> {
                    PersonalSeal.PersonalFields opened;
                    try {
                        opened = PersonalSeal.open(Base64.getDecoder().decode(personal.path("subjectKey").asText()),
                                leaf.path("tenantId").asText(), leaf.path("eventId").asText(), keyId,
                                Base64.getDecoder().decode(sealed.path("nonce").asText()),
                                Base64.getDecoder().decode(sealed.path("ciphertext").asText()));
                    } catch (IllegalArgumentException e) {
                        return "leaf " + index + "'s sealed fields do not open with the key beside them: " + e.getMessage();
                    }
                    Map<String, String> shown = new LinkedHashMap<>();
                    personal.path("fields").fields().forEachRemaining(field ->
                            shown.put(field.getKey(), field.getValue().isNull() ? null : field.getValue().asText()));
                    if (!shown.equals(opened.toMap())) {
                        return "leaf " + index + "'s personal fields differ from what is sealed in it";
                    }
                }
                case "erased" -> {
                    erased++;
                    claimedErasures.add(new ErasureClaim(keyId, personal.path("erasureIndex").asLong(-1), index));
                }
                default -> {
                }
            }
            return null;
        }

        private void head(SignedTreeHead head) {
            if (tree == null) {
                fail(signedThrough, "a head comes before the tree's edge");
                return;
            }
            String keyFault = keyFault(head, "the export's head at size " + head.treeSize());
            if (keyFault != null) {
                fail(signedThrough, keyFault);
                return;
            }
            if (head.treeSize() != tree.size()) {
                fail(Math.min(head.treeSize(), tree.size()), head.treeSize() > tree.size()
                        ? "a signed head covers " + head.treeSize() + " leaves, but only " + tree.size()
                        + " come before it: leaves were removed"
                        : "a signed head covers " + head.treeSize() + " leaves, but " + tree.size() + " come before it:"
                        + " leaves were added");
                return;
            }
            if (!TreeHash.hex(tree.root()).equals(head.rootHash())) {
                fail(signedThrough, "the leaves from " + signedThrough + " to " + (head.treeSize() - 1) + " do not"
                        + " match the head signed over them: one of them was altered, added, removed or reordered");
                return;
            }
            headsChecked++;
            signedThrough = head.treeSize();
        }

        private void finish() {
            long size = tree == null ? 0 : tree.size();
            for (ErasureClaim claim : claimedErasures) {
                // The erasure is recorded after the leaves it erased, within the export's tree.
                if (claim.recordIndex() <= claim.claimingLeaf() || claim.recordIndex() >= size
                        || !erasureRecords.getOrDefault(claim.recordIndex(), Set.of()).contains(claim.keyId())) {
                    fail(claim.claimingLeaf(), "leaf " + claim.claimingLeaf() + " is shown as erased by leaf "
                            + claim.recordIndex() + ", which is no record of the erasure of key " + claim.keyId()
                            + " in this export");
                    return;
                }
            }
            if (tree == null) {
                fail(signedThrough, "the export has no leaves and no tree edge");
            } else if (signedThrough < tree.size()) {
                fail(signedThrough, "leaves " + signedThrough + " to " + (tree.size() - 1) + " are not covered by any"
                        + " head signed by a trusted key");
            } else if (heldHead != null && heldHead.treeSize() > tree.size()) {
                fail(tree.size(), "the export ends after " + tree.size() + " leaves, but the head you hold covers "
                        + heldHead.treeSize() + ": leaves were cut from the end");
            }
        }

        private boolean checkHeldHeadSignature() {
            if (!heldHead.tenantId().equals(tenant)) {
                fail(0L, "the head you hold is of tenant " + heldHead.tenantId() + ", the export of " + tenant);
                return false;
            }
            String fault = keyFault(heldHead, "the head you hold");
            if (fault != null) {
                fail(0L, fault);
                return false;
            }
            return true;
        }

        /** Compares the rebuilt tree with the held head once the tree reaches its size. */
        private void checkHeldHeadAt(long size) {
            if (heldHead == null || heldHead.treeSize() != size || firstBad != null) {
                return;
            }
            if (!TreeHash.hex(tree.root()).equals(heldHead.rootHash())) {
                fail(Math.max(0, size - 1), "the first " + size + " leaves do not match the head you hold: the log"
                        + " was rewritten since that head was signed");
            }
        }

        /** Null when a trusted key signed the head while it was allowed to sign; else what is wrong. */
        private String keyFault(SignedTreeHead head, String what) {
            if (!head.tenantId().equals(tenant)) {
                return what + " is of tenant " + head.tenantId() + ", not " + tenant;
            }
            Map<String, KeyHistory.Entry> trusted = new KeyHistory(endorsements).trustedFrom(trustedKey);
            KeyHistory.Entry key = trusted.get(head.keyId());
            if (key == null) {
                return what + " is signed by key " + head.keyId() + ", which is neither the trusted key nor one it"
                        + " endorsed";
            }
            if (!head.signedBy(key.publicKey())) {
                return what + " has no valid signature by key " + head.keyId();
            }
            if (key.retiredAt() != null && head.timestamp() > key.retiredAt()) {
                return what + " was signed by key " + head.keyId() + " after that key was retired";
            }
            return null;
        }

        private void fail(Long index, String why) {
            if (firstBad == null) {
                firstBad = index;
                reason = "Export broken at leaf " + index + ": " + why + ".";
            }
        }

        private Outcome outcome() {
            long size = tree == null ? 0 : tree.size();
            String root = tree == null ? null : TreeHash.hex(tree.root());
            return new Outcome(tenant, firstBad == null, firstBad, reason, checked, deleted, headsChecked, size, root,
                    signedThrough, erased);
        }

        private static JsonNode parse(String line, int number) {
            try {
                return CanonicalJson.parse(line.getBytes(StandardCharsets.UTF_8));
            } catch (UncheckedIOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("Line " + number + " is not a JSON object.", e);
            }
        }
    }
}
