package dev.eventbackbone.audit.chain;

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
    /** One digest per thread, rather than a provider lookup for every record on the ingest path. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(ChainHash::sha256);

    private ChainHash() {
    }

    public static byte[] next(byte[] previous, long sequence, byte[] canonicalRecord) {
        MessageDigest digest = SHA_256.get();
        digest.update(previous);
        for (int shift = Long.SIZE - Byte.SIZE; shift >= 0; shift -= Byte.SIZE) {
            digest.update((byte) (sequence >>> shift));
        }
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
