package dev.eventbackbone.audit.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.audit.evidence.CanonicalJson;
import dev.eventbackbone.audit.merkle.TreeHash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One leaf of a tenant's log as the store keeps it: its index in the tree, when this store wrote
 * it, and its canonical JSON, whose {@link TreeHash#leaf} hash is the tree's leaf. The value bytes
 * are {@code storedAt(8) canonicalJson}; {@code storedAt} is this instance's clock and not part of
 * the leaf, so every instance holds the same leaves. The JSON is parsed once, when first asked for.
 */
public final class StoredLeaf {

    private static final byte[] SEALED_OBJECT = "\"sealed\":{".getBytes(StandardCharsets.UTF_8);

    private final String tenantId;
    private final long index;
    private final long storedAt;
    private final byte[] canonicalJson;
    private ObjectNode content;

    private StoredLeaf(String tenantId, long index, long storedAt, byte[] canonicalJson) {
        this.tenantId = tenantId;
        this.index = index;
        this.storedAt = storedAt;
        this.canonicalJson = canonicalJson;
    }

    static byte[] value(long storedAt, byte[] canonicalJson) {
        return ByteBuffer.allocate(Long.BYTES + canonicalJson.length).putLong(storedAt).put(canonicalJson).array();
    }

    static StoredLeaf decode(String tenantId, long index, byte[] value) {
        return new StoredLeaf(tenantId, index, ByteBuffer.wrap(value).getLong(),
                Arrays.copyOfRange(value, Long.BYTES, value.length));
    }

    /** The leaf's JSON: an audit record, or for a record that could not be stored, its rejection. */
    public ObjectNode content() {
        if (content == null) {
            content = CanonicalJson.parse(canonicalJson);
        }
        return content;
    }

    /**
     * True when the record seals personal fields. A byte search, not a parse: in canonical JSON the
     * sequence can only be the record's own key, since a quote inside a string is escaped.
     */
    public boolean sealed() {
        return indexOf(canonicalJson, SEALED_OBJECT) >= 0;
    }

    private static int indexOf(byte[] bytes, byte[] sought) {
        outer:
        for (int start = 0; start <= bytes.length - sought.length; start++) {
            for (int i = 0; i < sought.length; i++) {
                if (bytes[start + i] != sought[i]) {
                    continue outer;
                }
            }
            return start;
        }
        return -1;
    }

    /** True for the trace of a record that was dead-lettered instead of stored. */
    public boolean rejection() {
        return content().has(PreparedLeaf.REJECTION_FIELD);
    }

    public String tenantId() {
        return tenantId;
    }

    public long index() {
        return index;
    }

    public long storedAt() {
        return storedAt;
    }

    /** The bytes the leaf hash covers; shared, not copied: read, do not change. */
    public byte[] canonicalJson() {
        return canonicalJson;
    }

    public byte[] leafHash() {
        return TreeHash.leaf(canonicalJson);
    }
}
