package dev.eventbackbone.audit.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.audit.store.AuditStorage.Family;
import dev.eventbackbone.contracts.audit.PersonalSeal;
import dev.eventbackbone.contracts.audit.PersonalSeal.PersonalFields;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.rocksdb.WriteBatch;

/**
 * The subject keys this store holds, followed from {@code audit.subject-keys}, and the erasures its
 * tenants' logs recorded. It opens a leaf's sealed personal fields when it reads the leaf, never
 * when it stores it: the leaf keeps the ciphertext its hash covers, and destroying the key is all
 * an erasure takes. A key is honoured only for its own tenant's leaves, and a key the log says was
 * destroyed is never taken back from a late copy on the topic.
 */
public final class SubjectKeyring {

    private final AuditStorage storage;

    SubjectKeyring(AuditStorage storage) {
        this.storage = storage;
    }

    /** What can be read of a leaf's personal fields. */
    public interface Personal {
    }

    /** The leaf has no sealed fields. */
    public record NotSealed() implements Personal {
    }

    /** Opened with the subject key, which is handed out so that an auditor can open them too. */
    public record Readable(PersonalFields fields, String keyId, byte[] key) implements Personal {
    }

    /** The subject was erased: its key was destroyed at {@code erasedAt}, as the leaf at {@code erasureIndex} says. */
    public record Erased(String keyId, long erasedAt, long erasureIndex) implements Personal {
    }

    /**
     * The key is not here: not yet followed from the topic, or destroyed by a request whose log
     * record this instance has not read yet.
     */
    public record KeyUnavailable(String keyId) implements Personal {
    }

    /** The fields could not be opened with the key the store holds for them: the leaf or the key was altered. */
    public record Broken(String keyId, String reason) implements Personal {
    }

    /** Keeps a key read from the topic, unless the log already says it was destroyed. */
    public void keep(String keyId, String tenant, byte[] key) {
        storage.read(() -> {
            byte[] erasure = storage.get(Family.ERASURES, id(keyId));
            if (erasure != null && tenantOfErasure(erasure).equals(tenant)) {
                return null;
            }
            try (WriteBatch batch = new WriteBatch()) {
                storage.put(batch, Family.SUBJECT_KEYS, id(keyId), keyValue(tenant, key));
                storage.write(batch);
            }
            return null;
        });
    }

    /** Forgets a key whose tombstone was read from the topic; {@link #compact} then takes its bytes off the disk. */
    public void forget(String keyId) {
        storage.read(() -> {
            try (WriteBatch batch = new WriteBatch()) {
                storage.delete(batch, Family.SUBJECT_KEYS, id(keyId));
                storage.write(batch);
            }
            return null;
        });
    }

    /**
     * Rewrites the keys' files without the forgotten ones, so their bytes leave the disk now (this also
     * clears a key an erasure record deleted: its tombstone follows it). Once per batch of tombstones,
     * not per key: a restart reads every tombstone of the last day again.
     */
    public void compact() {
        storage.compact(Family.SUBJECT_KEYS);
    }

    /** The personal fields of a record leaf's JSON. */
    public Personal personalOf(String tenant, JsonNode record) {
        JsonNode sealed = record.path("sealed");
        if (!sealed.isObject()) {
            return new NotSealed();
        }
        String keyId = sealed.path("keyId").asText();
        return storage.read(() -> {
            byte[] erasure = storage.get(Family.ERASURES, id(keyId));
            if (erasure != null && tenantOfErasure(erasure).equals(tenant)) {
                ByteBuffer buffer = ByteBuffer.wrap(erasure);
                return new Erased(keyId, buffer.getLong(), buffer.getLong());
            }
            byte[] stored = storage.get(Family.SUBJECT_KEYS, id(keyId));
            if (stored == null || !tenantOfKey(stored).equals(tenant)) {
                return new KeyUnavailable(keyId);
            }
            byte[] key = Arrays.copyOfRange(stored, stored.length - PersonalSeal.KEY_BYTES, stored.length);
            try {
                PersonalFields fields = PersonalSeal.open(key, tenant, record.path("eventId").asText(), keyId,
                        Base64.getDecoder().decode(sealed.path("nonce").asText()),
                        Base64.getDecoder().decode(sealed.path("ciphertext").asText()));
                return new Readable(fields, keyId, key);
            } catch (IllegalArgumentException e) {
                return new Broken(keyId, e.getMessage());
            }
        });
    }

    /** Stages, with the leaf that records it, the erasure of a key: remembered, and the key deleted. */
    void stageErasure(WriteBatch batch, String tenant, PreparedLeaf.Erasure erasure, long leafIndex) {
        byte[] tenantBytes = tenant.getBytes(StandardCharsets.UTF_8);
        storage.put(batch, Family.ERASURES, id(erasure.keyId()), ByteBuffer.allocate(16 + tenantBytes.length)
                .putLong(erasure.erasedAt()).putLong(leafIndex).put(tenantBytes).array());
        byte[] stored = storage.get(Family.SUBJECT_KEYS, id(erasure.keyId()));
        if (stored != null && tenantOfKey(stored).equals(tenant)) {
            storage.delete(batch, Family.SUBJECT_KEYS, id(erasure.keyId()));
        }
    }

    private static byte[] id(String keyId) {
        return keyId.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] keyValue(String tenant, byte[] key) {
        byte[] tenantBytes = tenant.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(tenantBytes.length + key.length).put(tenantBytes).put(key).array();
    }

    private static String tenantOfKey(byte[] stored) {
        return new String(stored, 0, stored.length - PersonalSeal.KEY_BYTES, StandardCharsets.UTF_8);
    }

    private static String tenantOfErasure(byte[] erasure) {
        return new String(erasure, 16, erasure.length - 16, StandardCharsets.UTF_8);
    }
}
