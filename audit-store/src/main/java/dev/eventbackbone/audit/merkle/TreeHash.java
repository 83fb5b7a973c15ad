package dev.eventbackbone.audit.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hashes of a Merkle tree as RFC 9162 (Certificate Transparency 2.0) defines them, with
 * SHA-256: a leaf is {@code SHA-256(0x00 ‖ leaf)}, an interior node {@code SHA-256(0x01 ‖ left ‖
 * right)}, and the empty tree {@code SHA-256()}. The two prefixes keep a leaf from ever passing
 * for a node.
 */
public final class TreeHash {

    public static final int LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();
    /** One digest per thread rather than a provider lookup for every hash on the ingest path. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(TreeHash::sha256);

    private TreeHash() {
    }

    public static byte[] leaf(byte[] data) {
        MessageDigest digest = SHA_256.get();
        digest.update((byte) 0);
        digest.update(data);
        return digest.digest();
    }

    public static byte[] node(byte[] left, byte[] right) {
        MessageDigest digest = SHA_256.get();
        digest.update((byte) 1);
        digest.update(left);
        digest.update(right);
        return digest.digest();
    }

    /** The root of the tree without leaves. */
    public static byte[] empty() {
        return SHA_256.get().digest();
    }

    /** SHA-256 of arbitrary bytes, for key ids and commitments outside the tree. */
    public static byte[] sha256(byte[] data) {
        return SHA_256.get().digest(data);
    }

    public static String hex(byte[] hash) {
        return HEX.formatHex(hash);
    }

    public static byte[] fromHex(String hex) {
        if (hex == null || hex.length() != LENGTH * 2) {
            throw new IllegalArgumentException("A SHA-256 hash is 64 hex digits, not '" + hex + "'");
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
