package dev.eventbackbone.audit.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.audit.evidence.CanonicalJson;
import dev.eventbackbone.audit.merkle.TreeHash;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One leaf of a tenant's log as the store keeps it: its index in the tree, when this store wrote
 * it, and its canonical JSON, whose {@link TreeHash#leaf} hash is the tree's leaf. The value bytes
 * are {@code storedAt(8) canonicalJson}; {@code storedAt} is this instance's clock and not part of
 * the leaf, so every instance holds the same leaves. The JSON is parsed once, when first asked for.
 */
public final class StoredLeaf {

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
