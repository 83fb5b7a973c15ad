package dev.eventbackbone.audit.chain;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A tenant's hash chain: {@code hash(n) = SHA-256(hash(n-1) ‖ n as 8 big-endian bytes ‖ canonical
 * JSON of record n)}, starting from 32 zero bytes. Binding the sequence number makes a dropped or
 * reordered record break the chain even when the records themselves are intact.
 */
public final class ChainHash {

    public static final int LENGTH = 32;
    public static final byte[] GENESIS = new byte[LENGTH];
    private static final HexFormat HEX = HexFormat.of();

    private ChainHash() {
    }

    public static byte[] next(byte[] previous, long sequence, byte[] canonicalRecord) {
        MessageDigest digest = sha256();
        digest.update(previous);
        digest.update(ByteBuffer.allocate(Long.BYTES).putLong(sequence).array());
        digest.update(canonicalRecord);
        return digest.digest();
    }

    public static String hex(byte[] hash) {
        return HEX.formatHex(hash);
    }

    public static byte[] fromHex(String hex) {
        if (hex == null || hex.length() != LENGTH * 2) {
            throw new IllegalArgumentException("A chain hash is 64 hex digits, not " + hex);
        }
        return HEX.parseHex(hex);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }
}
