package dev.eventbackbone.contracts.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditSealedFields;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the personal fields of an audit record with its subject's key, so that destroying the
 * key erases them while the record, and every Merkle proof over it, stays as it was. The format
 * (docs/audit.md, Erasure) is plain AES-256-GCM that any language's crypto library opens: a
 * 12-byte random nonce, the canonical JSON of the four fields as plaintext, and the tenant, event
 * id and key id joined by NUL as associated data, so a sealed blob moved to another record fails.
 */
public final class PersonalSeal {

    public static final int KEY_BYTES = 32;
    /**
     * The action of the log record that says a subject's key was destroyed, with the key's id in
     * {@code metadata.keyId}. Reserved: only the normalizer writes it, never a service's own event.
     */
    public static final String ERASED_ACTION = "audit.subject_erased";
    /** The source of every record the normalizer writes on its own account. */
    public static final String NORMALIZER_SOURCE = "audit-normalizer";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String CIPHER = "AES/GCM/NoPadding";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private PersonalSeal() {
    }

    /** The personal fields of one record; any may be null. */
    public record PersonalFields(String actorName, String actorEmailHash, String ip, String userAgent) {

        public static PersonalFields of(AuditRecord record) {
            return new PersonalFields(record.getActorName(), record.getActorEmailHash(), record.getIp(),
                    record.getUserAgent());
        }

        public boolean isEmpty() {
            return actorName == null && actorEmailHash == null && ip == null && userAgent == null;
        }

        /** Keys in code point order, nulls kept: the canonical JSON the ciphertext encrypts. */
        public Map<String, String> toMap() {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("actorEmailHash", actorEmailHash);
            fields.put("actorName", actorName);
            fields.put("ip", ip);
            fields.put("userAgent", userAgent);
            return fields;
        }

        byte[] canonicalJson() {
            try {
                return JSON.writeValueAsBytes(toMap());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("four strings always encode as JSON", e);
            }
        }

        static PersonalFields parse(byte[] json) throws IOException {
            JsonNode node = JSON.readTree(json);
            return new PersonalFields(text(node, "actorName"), text(node, "actorEmailHash"), text(node, "ip"),
                    text(node, "userAgent"));
        }

        private static String text(JsonNode node, String field) {
            JsonNode value = node.get(field);
            return value == null || value.isNull() ? null : value.asText();
        }
    }

    /** A subject key as audit.subject-keys carries it. */
    public record SubjectKey(String keyId, byte[] key) {
    }

    /** A fresh random key with a fresh random id. */
    public static SubjectKey newKey() {
        byte[] id = new byte[16];
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(key);
        return new SubjectKey(HEX.formatHex(id), key);
    }

    /** The record with its personal fields sealed under the key and the plain ones cleared; unchanged when it has none. */
    public static AuditRecord seal(AuditRecord record, SubjectKey key) {
        PersonalFields fields = PersonalFields.of(record);
        if (fields.isEmpty()) {
            return record;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] ciphertext = crypt(Cipher.ENCRYPT_MODE, key.key(), nonce,
                associatedData(record.getTenantId(), record.getEventId(), key.keyId()), fields.canonicalJson());
        return AuditRecord.newBuilder(record).setActorName(null).setActorEmailHash(null).setIp(null).setUserAgent(null)
                .setSealed(new AuditSealedFields(key.keyId(), ByteBuffer.wrap(nonce), ByteBuffer.wrap(ciphertext)))
                .build();
    }

    /**
     * The fields sealed in a record.
     *
     * @throws IllegalArgumentException when the key is not the one they were sealed with, or the blob
     *                                  was altered or belongs to another record
     */
    public static PersonalFields open(byte[] key, String tenantId, String eventId, String keyId, byte[] nonce,
                                      byte[] ciphertext) {
        try {
            return PersonalFields.parse(crypt(Cipher.DECRYPT_MODE, key, nonce, associatedData(tenantId, eventId, keyId),
                    ciphertext));
        } catch (IOException e) {
            throw new IllegalArgumentException("the sealed fields decrypt to text that is not JSON", e);
        }
    }

    private static byte[] associatedData(String tenantId, String eventId, String keyId) {
        return (tenantId + '\0' + eventId + '\0' + keyId).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] crypt(int mode, byte[] key, byte[] nonce, byte[] associatedData, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(input);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("the sealed fields do not open with this key: wrong key, altered"
                    + " ciphertext, or a blob taken from another record", e);
        } catch (GeneralSecurityException e) {
            if (e instanceof InvalidKeyException || e instanceof InvalidAlgorithmParameterException) {
                throw new IllegalArgumentException("not an AES-256 key and 12-byte nonce: " + e.getMessage(), e);
            }
            throw new IllegalStateException("AES-GCM is missing from this JVM", e);
        }
    }
}
