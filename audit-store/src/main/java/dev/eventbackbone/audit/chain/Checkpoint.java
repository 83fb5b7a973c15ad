package dev.eventbackbone.audit.chain;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A signed statement "tenant T's chain had hash H at sequence N at time C". Anyone holding the
 * public key can check it offline; a chain recomputed from exported records must reach H at N.
 *
 * @param signature base64 Ed25519 signature over {@link #signedBytes()}
 */
public record Checkpoint(@JsonProperty("tenantId") String tenantId,
                         @JsonProperty("sequence") long sequence,
                         @JsonProperty("chainHash") String chainHash,
                         @JsonProperty("createdAt") long createdAt,
                         @JsonProperty("signature") String signature) {

    /** The canonical JSON of every field but the signature: what the signature covers. */
    public byte[] signedBytes() {
        return signedBytes(tenantId, sequence, chainHash, createdAt);
    }

    static byte[] signedBytes(String tenantId, long sequence, String chainHash, long createdAt) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("tenantId", tenantId);
        fields.put("sequence", sequence);
        fields.put("chainHash", chainHash);
        fields.put("createdAt", createdAt);
        return CanonicalJson.encode(fields);
    }

    public byte[] toJson() {
        try {
            return CanonicalJson.mapper().writeValueAsBytes(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Checkpoint fromJson(byte[] json) {
        try {
            return CanonicalJson.mapper().readValue(json, Checkpoint.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Not a checkpoint: " + new String(json, StandardCharsets.UTF_8), e);
        }
    }
}
