package dev.eventbackbone.audit.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Alters a stored leaf's bytes behind the store's back, as an attacker with disk access would. */
public final class StoredBytes {

    private StoredBytes() {
    }

    /** Replaces text inside the canonical JSON of one leaf, leaving its stored hash as it was. */
    public static void rewrite(Path directory, String tenant, long index, String from, String to) {
        try (AuditStorage storage = AuditStorage.open(directory, false);
             org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch()) {
            byte[] key = Keys.leaf(tenant, index);
            StoredLeaf leaf = StoredLeaf.decode(tenant, index, storage.get(AuditStorage.Family.LEAVES, key));
            String json = new String(leaf.canonicalJson(), StandardCharsets.UTF_8);
            if (!json.contains(from)) {
                throw new IllegalArgumentException("Leaf " + index + " does not contain " + from + ": " + json);
            }
            storage.put(batch, AuditStorage.Family.LEAVES, key,
                    StoredLeaf.value(leaf.storedAt(), json.replace(from, to).getBytes(StandardCharsets.UTF_8)));
            storage.write(batch);
        }
    }
}
