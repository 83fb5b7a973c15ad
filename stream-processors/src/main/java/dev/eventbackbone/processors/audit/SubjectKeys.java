package dev.eventbackbone.processors.audit;

import dev.eventbackbone.contracts.audit.PersonalSeal;
import dev.eventbackbone.contracts.audit.PersonalSeal.SubjectKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The keys that seal each subject's personal fields, in the normalizer task's own store: one key
 * per {@code tenant:actorId} seen by the task, made on first use. Values are the key id's 16 bytes
 * followed by the 32 key bytes.
 */
final class SubjectKeys {

    private static final HexFormat HEX = HexFormat.of();
    private static final int ID_BYTES = 16;

    private final KeyValueStore<String, byte[]> store;

    SubjectKeys(KeyValueStore<String, byte[]> store) {
        this.store = store;
    }

    /** The subject's key, and whether it was made just now (and so must be published). */
    Lookup keyFor(String tenant, String subject) {
        byte[] stored = store.get(storeKey(tenant, subject));
        if (stored != null) {
            return new Lookup(decode(stored), false);
        }
        SubjectKey made = PersonalSeal.newKey();
        byte[] value = new byte[ID_BYTES + PersonalSeal.KEY_BYTES];
        System.arraycopy(HEX.parseHex(made.keyId()), 0, value, 0, ID_BYTES);
        System.arraycopy(made.key(), 0, value, ID_BYTES, PersonalSeal.KEY_BYTES);
        store.put(storeKey(tenant, subject), value);
        return new Lookup(made, true);
    }

    /** Deletes the subject's key from this task; the key it had, if any. */
    Optional<SubjectKey> destroy(String tenant, String subject) {
        return Optional.ofNullable(store.delete(storeKey(tenant, subject))).map(SubjectKeys::decode);
    }

    record Lookup(SubjectKey key, boolean made) {
    }

    private static String storeKey(String tenant, String subject) {
        return tenant + ':' + subject;
    }

    private static SubjectKey decode(byte[] value) {
        return new SubjectKey(HEX.formatHex(value, 0, ID_BYTES), Arrays.copyOfRange(value, ID_BYTES, value.length));
    }
}
