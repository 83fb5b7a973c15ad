package dev.eventbackbone.audit.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

/** Alters a stored record's bytes behind the store's back, as an attacker with disk access would. */
public final class StoredBytes {

    private StoredBytes() {
    }

    /** Replaces text inside the canonical JSON of one record, leaving its stored hashes as they were. */
    public static void rewrite(Path directory, String tenant, long sequence, String from, String to) throws Exception {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (String name : List.of("default", "records", "event_ids", "indexes", "offsets", "heads", "checkpoints")) {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
             RocksDB db = RocksDB.open(options, directory.toString(), descriptors, handles)) {
            byte[] key = Keys.record(tenant, sequence);
            StoredRecord record = StoredRecord.decode(tenant, sequence, db.get(handles.get(1), key));
            String json = new String(record.canonicalJson(), StandardCharsets.UTF_8);
            if (!json.contains(from)) {
                throw new IllegalArgumentException("Record " + sequence + " does not contain " + from + ": " + json);
            }
            byte[] altered = json.replace(from, to).getBytes(StandardCharsets.UTF_8);
            db.put(handles.get(1), key, StoredRecord.value(record.storedAt(), record.previousHash(), record.hash(), altered));
            handles.forEach(ColumnFamilyHandle::close);
        }
    }
}
