package dev.eventbackbone.audit.store;

import dev.eventbackbone.audit.evidence.CanonicalJson;
import dev.eventbackbone.audit.evidence.KeyEndorsement;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.merkle.CompactRange;
import dev.eventbackbone.audit.merkle.TreeHash;
import dev.eventbackbone.audit.store.AuditStorage.Family;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.RocksIterator;

/**
 * Writes a tenant's log as JSON Lines that an auditor verifies offline (docs/audit.md): a header,
 * the key history, the tree's right edge where the export starts mid-tree, every leaf with its
 * hash, each signed head after the leaf that completes it, and a head signed for the export
 * itself, so every leaf of an export is covered by a signature.
 */
public final class Exporter {

    private final AuditStorage storage;
    private final TreeHeads heads;
    private final TreeProofs proofs;
    private final SubjectKeyring keyring;
    private final Clock clock;

    Exporter(AuditStorage storage, TreeHeads heads, TreeProofs proofs, SubjectKeyring keyring, Clock clock) {
        this.storage = storage;
        this.heads = heads;
        this.proofs = proofs;
        this.keyring = keyring;
        this.clock = clock;
    }

    /** Exports leaves {@code [fromIndex, size)} where size is the tree's size now; returns that size. */
    public long export(String tenant, long fromIndex, OutputStream out) {
        SignedTreeHead head = heads.signNow(tenant);
        // One read for the whole export: the storage stays open until the last line is written.
        return storage.read(() -> write(tenant, fromIndex, head, out));
    }

    private long write(String tenant, long fromIndex, SignedTreeHead head, OutputStream out) {
        long size = head.treeSize();
        long from = Math.max(0, Math.min(fromIndex, size));
        List<SignedTreeHead> earlier = distinctSizes(heads.all(tenant), from, size);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("type", "export");
        header.put("tenantId", tenant);
        header.put("fromIndex", from);
        header.put("treeSize", size);
        header.put("exportedAt", clock.millis());
        header.put("hashAlgorithm", "SHA-256 (RFC 9162 Merkle tree)");
        header.put("signatureAlgorithm", "Ed25519");
        line(out, header);
        for (KeyEndorsement step : heads.history().endorsements()) {
            Map<String, Object> key = new LinkedHashMap<>(step.toMap());
            key.put("type", "key");
            line(out, key);
        }
        if (from > 0) {
            CompactRange edge = CompactRange.of(from, proofs.nodes(tenant));
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("type", "edge");
            line.put("treeSize", from);
            line.put("hashes", edge.hashes().stream().map(TreeHash::hex).toList());
            line(out, line);
        }
        storage.read(() -> {
            byte[] prefix = Keys.tenantPrefix(tenant);
            int nextHead = 0;
            try (RocksIterator leaves = storage.iterator(Family.LEAVES)) {
                leaves.seek(Keys.leaf(tenant, from));
                for (long index = from; index < size; index++) {
                    boolean present = leaves.isValid() && Keys.startsWith(leaves.key(), prefix)
                            && Keys.sequenceAtEnd(leaves.key()) == index;
                    byte[] leafHash = storage.get(Family.NODES, Keys.node(tenant, 0, index));
                    String hashLine = "{\"index\":" + index + ",\"leafHash\":\"" + TreeHash.hex(leafHash) + "\",";
                    if (present) {
                        StoredLeaf leaf = StoredLeaf.decode(tenant, index, leaves.value());
                        write(out, hashLine + "\"leaf\":");
                        write(out, leaf.canonicalJson());
                        if (leaf.sealed()) {
                            write(out, ",\"personal\":");
                            write(out, CanonicalJson.encode(personal(withinExport(keyring.personalOf(tenant,
                                    leaf.content()), size))));
                        }
                        write(out, ",\"storedAt\":" + leaf.storedAt() + ",\"type\":\"leaf\"}\n");
                        leaves.next();
                    } else {
                        write(out, hashLine + "\"deleted\":true,\"type\":\"leaf\"}\n");
                    }
                    while (nextHead < earlier.size() && earlier.get(nextHead).treeSize() == index + 1) {
                        headLine(out, earlier.get(nextHead++));
                    }
                }
            }
            return null;
        });
        headLine(out, head);
        return size;
    }

    /** The first head signed at each tree size within {@code (from, to)}: later ones at the same size add nothing. */
    private static List<SignedTreeHead> distinctSizes(List<SignedTreeHead> all, long from, long to) {
        List<SignedTreeHead> distinct = new ArrayList<>();
        long last = -1;
        for (SignedTreeHead head : all) {
            if (head.treeSize() > from && head.treeSize() < to && head.treeSize() != last) {
                distinct.add(head);
                last = head.treeSize();
            }
        }
        return distinct;
    }

    /**
     * An erasure recorded after the export's tree size (appended while the export ran) is not in the
     * export to prove it: the fields are shown as unavailable, as they now are, not as erased.
     */
    private static SubjectKeyring.Personal withinExport(SubjectKeyring.Personal personal, long size) {
        if (personal instanceof SubjectKeyring.Erased erased && erased.erasureIndex() >= size) {
            return new SubjectKeyring.KeyUnavailable(erased.keyId());
        }
        return personal;
    }

    /**
     * What the export says of a leaf's sealed fields: opened, with the subject key so an auditor can
     * check them against the ciphertext the leaf commits to; or erased, and when.
     */
    public static Map<String, Object> personal(SubjectKeyring.Personal personal) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (personal instanceof SubjectKeyring.Readable readable) {
            fields.put("fields", readable.fields().toMap());
            fields.put("keyId", readable.keyId());
            fields.put("state", "readable");
            fields.put("subjectKey", Base64.getEncoder().encodeToString(readable.key()));
        } else if (personal instanceof SubjectKeyring.Erased erased) {
            fields.put("erasedAt", erased.erasedAt());
            fields.put("erasureIndex", erased.erasureIndex());
            fields.put("keyId", erased.keyId());
            fields.put("state", "erased");
        } else if (personal instanceof SubjectKeyring.KeyUnavailable unavailable) {
            fields.put("keyId", unavailable.keyId());
            fields.put("state", "key_unavailable");
        } else if (personal instanceof SubjectKeyring.Broken broken) {
            fields.put("keyId", broken.keyId());
            fields.put("reason", broken.reason());
            fields.put("state", "broken");
        } else {
            fields.put("state", "not_sealed");
        }
        return fields;
    }

    private static void headLine(OutputStream out, SignedTreeHead head) {
        Map<String, Object> line = new LinkedHashMap<>(head.toMap());
        line.put("type", "head");
        line(out, line);
    }

    private static void line(OutputStream out, Map<String, Object> fields) {
        write(out, CanonicalJson.encode(fields));
        write(out, "\n");
    }

    private static void write(OutputStream out, String text) {
        write(out, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
