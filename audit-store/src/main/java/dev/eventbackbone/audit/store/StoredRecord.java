package dev.eventbackbone.audit.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.audit.chain.CanonicalJson;
import dev.eventbackbone.audit.chain.ChainHash;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One record as the store holds it: its place in the tenant's chain and the canonical JSON the
 * chain hash covers. The value bytes are {@code storedAt(8) prevHash(32) hash(32) canonicalJson}.
 */
public record StoredRecord(String tenantId, long sequence, long storedAt, byte[] previousHash, byte[] hash,
                           byte[] canonicalJson) {

    private static final int HEADER = Long.BYTES + 2 * ChainHash.LENGTH;

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

    public ObjectNode record() {
        return CanonicalJson.parse(canonicalJson);
    }

    public String previousHashHex() {
        return ChainHash.hex(previousHash);
    }

    public String hashHex() {
        return ChainHash.hex(hash);
    }
}
