package dev.eventbackbone.audit.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.audit.chain.CanonicalJson;
import dev.eventbackbone.audit.chain.ChainHash;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One record as the store holds it: its place in the tenant's chain and the canonical JSON the
 * chain hash covers. The value bytes are {@code storedAt(8) prevHash(32) hash(32) canonicalJson}.
 * The JSON is parsed once, when first asked for: a search parses it to filter, and the answer
 * reuses that tree. Arrays and the tree are shared with the caller, not copied: read, do not change.
 */
public final class StoredRecord {

    private static final int HEADER = Long.BYTES + 2 * ChainHash.LENGTH;

    private final String tenantId;
    private final long sequence;
    private final long storedAt;
    private final byte[] previousHash;
    private final byte[] hash;
    private final byte[] canonicalJson;
    private ObjectNode record;

    private StoredRecord(String tenantId, long sequence, long storedAt, byte[] previousHash, byte[] hash,
                         byte[] canonicalJson) {
        this.tenantId = tenantId;
        this.sequence = sequence;
        this.storedAt = storedAt;
        this.previousHash = previousHash;
        this.hash = hash;
        this.canonicalJson = canonicalJson;
    }

    static byte[] value(long storedAt, byte[] previousHash, byte[] hash, byte[] canonicalJson) {
        return ByteBuffer.allocate(HEADER + canonicalJson.length)
                .putLong(storedAt).put(previousHash).put(hash).put(canonicalJson).array();
    }

    static StoredRecord decode(String tenantId, long sequence, byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        long storedAt = buffer.getLong();
        byte[] previous = new byte[ChainHash.LENGTH];
        byte[] hash = new byte[ChainHash.LENGTH];
        buffer.get(previous).get(hash);
        return new StoredRecord(tenantId, sequence, storedAt, previous, hash,
                Arrays.copyOfRange(value, HEADER, value.length));
    }

    /** The record's JSON tree. */
    public ObjectNode record() {
        if (record == null) {
            record = CanonicalJson.parse(canonicalJson);
        }
        return record;
    }

    public String tenantId() {
        return tenantId;
    }

    public long sequence() {
        return sequence;
    }

    public long storedAt() {
        return storedAt;
    }

    public byte[] previousHash() {
        return previousHash;
    }

    public byte[] hash() {
        return hash;
    }

    public byte[] canonicalJson() {
        return canonicalJson;
    }

    public String previousHashHex() {
        return ChainHash.hex(previousHash);
    }

    public String hashHex() {
        return ChainHash.hex(hash);
    }
}
