package dev.eventbackbone.audit.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A signed statement "tenant T's log had {@code treeSize} leaves with Merkle root R at this time",
 * as RFC 9162 signs a tree head. Anyone holding the key can check it offline; leaves recomputed
 * from an export must reach R at that size, and a later head must be provably consistent with it.
 * Heads are signed at least every few seconds even when the tree did not grow, so a missing head
 * is itself a sign of a gap.
 *
 * @param rootHash  hex SHA-256 Merkle Tree Hash
 * @param timestamp epoch milliseconds when the head was signed
 * @param keyId     hex SHA-256 of the signing key's SubjectPublicKeyInfo
 * @param signature base64 Ed25519 signature over {@link #signedBytes()}
 */
public record SignedTreeHead(String tenantId, long treeSize, String rootHash, long timestamp, String keyId,
                             String signature) {

    /** Signs the head of a tree with {@code key}. */
    public static SignedTreeHead sign(String tenantId, long treeSize, String rootHash, long timestamp, SigningKey key) {
        String keyId = key.keyId();
        return new SignedTreeHead(tenantId, treeSize, rootHash, timestamp, keyId,
                key.sign(signedBytes(tenantId, treeSize, rootHash, timestamp, keyId)));
    }

    /** The canonical JSON of every field but the signature: what the signature covers. */
    public byte[] signedBytes() {
        return signedBytes(tenantId, treeSize, rootHash, timestamp, keyId);
    }

    private static byte[] signedBytes(String tenantId, long treeSize, String rootHash, long timestamp, String keyId) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("keyId", keyId);
        fields.put("rootHash", rootHash);
        fields.put("tenantId", tenantId);
        fields.put("timestamp", timestamp);
        fields.put("treeSize", treeSize);
        return CanonicalJson.encode(fields);
    }

    /** True when {@code publicKey} is the key the head names and its signature holds. */
    public boolean signedBy(PublicKey publicKey) {
        return SigningKey.keyId(publicKey).equals(keyId) && SigningKey.verify(publicKey, signedBytes(), signature);
    }

    /** The head as a JSON object, with {@code type} when it is a line of an export. */
    public Map<String, Object> toMap() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("tenantId", tenantId);
        fields.put("treeSize", treeSize);
        fields.put("rootHash", rootHash);
        fields.put("timestamp", timestamp);
        fields.put("keyId", keyId);
        fields.put("signature", signature);
        return fields;
    }

    public byte[] toJson() {
        return CanonicalJson.encode(toMap());
    }

    public static SignedTreeHead fromJson(JsonNode node) {
        if (!node.hasNonNull("tenantId") || !node.hasNonNull("treeSize") || !node.hasNonNull("rootHash")
                || !node.hasNonNull("timestamp") || !node.hasNonNull("keyId") || !node.hasNonNull("signature")) {
            throw new IllegalArgumentException("A signed tree head has tenantId, treeSize, rootHash, timestamp, keyId"
                    + " and signature: " + node);
        }
        return new SignedTreeHead(node.get("tenantId").asText(), node.get("treeSize").asLong(),
                node.get("rootHash").asText(), node.get("timestamp").asLong(), node.get("keyId").asText(),
                node.get("signature").asText());
    }

    public static SignedTreeHead fromJson(byte[] json) {
        return fromJson(CanonicalJson.parse(json));
    }
}
