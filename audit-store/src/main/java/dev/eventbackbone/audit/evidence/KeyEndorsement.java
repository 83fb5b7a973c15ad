package dev.eventbackbone.audit.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One step of a key rotation: the retiring key signs "from {@code validFrom} on, heads are signed
 * by this next key". A verifier that trusts the first key of a history follows these steps to
 * trust every later key, and refuses a head the retired key signed after it was retired.
 *
 * @param signature base64 Ed25519 signature by the previous key over {@link #signedBytes()}
 */
public record KeyEndorsement(String previousKeyId, String previousPublicKeyPem, String keyId, String publicKeyPem,
                             long validFrom, String signature) {

    /** The retiring key {@code previous} endorses {@code next} from {@code validFrom} on. */
    public static KeyEndorsement endorse(SigningKey previous, PublicKey next, long validFrom) {
        String nextPem = SigningKey.publicKeyPem(next);
        byte[] signed = signedBytes(previous.keyId(), SigningKey.keyId(next), nextPem, validFrom);
        return new KeyEndorsement(previous.keyId(), previous.publicKeyPem(), SigningKey.keyId(next), nextPem,
                validFrom, previous.sign(signed));
    }

    public byte[] signedBytes() {
        return signedBytes(previousKeyId, keyId, publicKeyPem, validFrom);
    }

    private static byte[] signedBytes(String previousKeyId, String keyId, String publicKeyPem, long validFrom) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("keyId", keyId);
        fields.put("previousKeyId", previousKeyId);
        fields.put("publicKeyPem", publicKeyPem);
        fields.put("validFrom", validFrom);
        return CanonicalJson.encode(fields);
    }

    /** True when the previous key signed this step and the ids match the keys they name. */
    public boolean valid() {
        try {
            PublicKey previous = SigningKey.parsePublicPem(previousPublicKeyPem);
            PublicKey next = SigningKey.parsePublicPem(publicKeyPem);
            return SigningKey.keyId(previous).equals(previousKeyId) && SigningKey.keyId(next).equals(keyId)
                    && SigningKey.verify(previous, signedBytes(), signature);
        } catch (IllegalArgumentException notAKey) {
            return false;
        }
    }

    public Map<String, Object> toMap() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("previousKeyId", previousKeyId);
        fields.put("previousPublicKeyPem", previousPublicKeyPem);
        fields.put("keyId", keyId);
        fields.put("publicKeyPem", publicKeyPem);
        fields.put("validFrom", validFrom);
        fields.put("signature", signature);
        return fields;
    }

    public static KeyEndorsement fromJson(JsonNode node) {
        return new KeyEndorsement(node.path("previousKeyId").asText(), node.path("previousPublicKeyPem").asText(),
                node.path("keyId").asText(), node.path("publicKeyPem").asText(), node.path("validFrom").asLong(),
                node.path("signature").asText());
    }
}
