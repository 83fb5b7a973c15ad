package dev.eventbackbone.audit.store;

import dev.eventbackbone.audit.evidence.KeyHistory;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.evidence.SigningKey;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * The append-only audit log: per tenant a Merkle tree (RFC 9162) of leaves in RocksDB, with signed
 * tree heads and proofs. Each job has its own class around one {@link AuditStorage}: appending
 * ({@link Appender}), signing heads ({@link TreeHeads}), proofs ({@link TreeProofs}), searching
 * ({@link Searcher}), verifying ({@link Verification}), exporting ({@link Exporter}), retention
 * ({@link Retention}) and opening sealed personal fields ({@link SubjectKeyring}). This class opens them together and closes them in order.
 */
public final class AuditLog implements AutoCloseable {

    private final AuditStorage storage;
    private final Appender appender;
    private final TreeHeads heads;
    private final TreeProofs proofs;
    private final Searcher searcher;
    private final Verification verification;
    private final Exporter exporter;
    private final Retention retention;
    private final SubjectKeyring keyring;

    private AuditLog(Path directory, SigningKey key, KeyHistory history, Clock clock, boolean syncWrites,
                     Consumer<SignedTreeHead> publisher) {
        storage = AuditStorage.open(directory, syncWrites);
        keyring = new SubjectKeyring(storage);
        appender = new Appender(storage, keyring, clock);
        heads = new TreeHeads(storage, appender, key, history, clock, publisher);
        proofs = new TreeProofs(storage, appender);
        searcher = new Searcher(storage);
        verification = new Verification(storage, appender, heads);
        exporter = new Exporter(storage, heads, proofs, keyring, clock);
        retention = new Retention(storage);
    }

    /**
     * @param syncWrites fsync every write; heads are signed over synced writes either way
     * @param publisher  receives every head signed, e.g. to put it on {@code audit.heads}
     */
    public static AuditLog open(Path directory, SigningKey key, KeyHistory history, Clock clock, boolean syncWrites,
                                Consumer<SignedTreeHead> publisher) {
        return new AuditLog(directory, key, history, clock, syncWrites, publisher);
    }

    public Appender appender() {
        return appender;
    }

    public TreeHeads heads() {
        return heads;
    }

    public TreeProofs proofs() {
        return proofs;
    }

    public Searcher searcher() {
        return searcher;
    }

    public Verification verification() {
        return verification;
    }

    public Exporter exporter() {
        return exporter;
    }

    public Retention retention() {
        return retention;
    }

    public SubjectKeyring keyring() {
        return keyring;
    }

    /** Stops appending after the batches already staged, then closes the storage once its readers are done. */
    @Override
    public void close() {
        appender.close();
        storage.close();
    }
}
