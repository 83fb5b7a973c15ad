package dev.eventbackbone.ingest.spool;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A durable FIFO of serialized Kafka records on local RocksDB: what the gateway accepted while
 * Kafka was unreachable. An append returns only once it is synced to disk, so it survives
 * {@code kill -9} and power loss; keys are big-endian sequence numbers, so RocksDB's order is
 * acceptance order.
 *
 * <p>Appends from many threads do not hold a lock across the synced write: RocksDB then commits
 * concurrent writes with one fsync. Sequence numbers are taken under a short lock, so a reader
 * could see a later sequence on disk before an earlier one; readers therefore see entries only up
 * to the committed watermark, below which every sequence is written.
 *
 * <p>Sequences can be {@linkplain #reserve reserved} before it is known whether anything will be
 * appended: a record sent to Kafka directly reserves its place, and if Kafka fails it later, it is
 * appended into that place, before everything accepted after it. Readers wait for a reservation
 * until it is filled or released, so the spool never hands out a later record of a key ahead of
 * an earlier one that may still arrive.
 */
public final class Spool implements AutoCloseable {

    private static final byte FORMAT_VERSION = 1;

    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final RocksDB db;
    private final WriteOptions syncWrites;
    private final WriteOptions plainWrites;
    private final long maxBytes;

    private final Object sequenceLock = new Object();
    private long nextSequence;
    /** Every sequence below it is written, released or removed. */
    private long committedBelow;
    /** Ranges [start, end) done above the watermark, by start. */
    private final TreeMap<Long, Long> doneAhead = new TreeMap<>();
    private final AtomicLong depth = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    /** Bytes promised to appends under way, so two racing appends cannot overfill the spool together. */
    private long reservedBytes;

    private Spool(Path directory, long maxBytes) throws RocksDBException {
        this.maxBytes = maxBytes;
        this.options = new Options()
                .setCreateIfMissing(true)
                .setWriteBufferSize(8L << 20)
                .setMaxWriteBufferNumber(2)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setMaxBackgroundJobs(1);
        this.db = RocksDB.open(options, directory.toString());
        this.syncWrites = new WriteOptions().setSync(true);
        this.plainWrites = new WriteOptions();
        try (RocksIterator iterator = db.newIterator()) {
            long last = -1;
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
                last = ByteBuffer.wrap(iterator.key()).getLong();
                depth.incrementAndGet();
                bytes.addAndGet(iterator.value().length);
            }
            nextSequence = last + 1;
            committedBelow = nextSequence;
        }
    }

    /** Opens (creating if needed) the spool in {@code directory}, bounded to {@code maxBytes} of entries. */
    public static Spool open(Path directory, long maxBytes) {
        try {
            Files.createDirectories(directory);
            return new Spool(directory, maxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the spool directory " + directory, e);
        } catch (RocksDBException e) {
            throw new IllegalStateException("Cannot open the spool in " + directory + ": " + e.getMessage()
                    + " (is another gateway using this directory?)", e);
        }
    }

    /** Appends one entry, synced to disk before it returns; its sequence number. */
    public long append(SpoolEntry entry) {
        return appendAll(List.of(entry));
    }

    /** Appends entries atomically (all or none), synced to disk; the sequence of the first. */
    public long appendAll(List<SpoolEntry> entries) {
        return appendAll(reserve(entries.size()), entries);
    }

    /**
     * Takes the next {@code count} sequences for a later {@link #appendAll(Reservation, List)} or
     * {@link #release}; readers see nothing at or after them until then.
     */
    public Reservation reserve(int count) {
        synchronized (sequenceLock) {
            Reservation reservation = new Reservation(nextSequence, count);
            nextSequence += count;
            return reservation;
        }
    }

    /** Gives back a reservation's sequences unused. Releasing twice, or after an append, does nothing. */
    public void release(Reservation reservation) {
        if (reservation.released.compareAndSet(false, true)) {
            synchronized (sequenceLock) {
                markDone(reservation.first, reservation.first + reservation.count);
            }
        }
    }

    /**
     * Appends entries atomically (all or none), synced to disk, into the first sequences of the
     * reservation, and releases the rest of it; the sequence of the first. The reservation is
     * released whether or not the append succeeds.
     */
    public long appendAll(Reservation reservation, List<SpoolEntry> entries) {
        if (reservation.released.get()) {
            throw new IllegalStateException("The reservation at sequence " + reservation.first + " was released");
        }
        if (entries.size() > reservation.count) {
            release(reservation);
            throw new IllegalArgumentException(entries.size() + " entries do not fit a reservation of "
                    + reservation.count);
        }
        List<byte[]> encoded = new ArrayList<>(entries.size());
        long size = 0;
        for (SpoolEntry entry : entries) {
            byte[] value = encode(entry);
            encoded.add(value);
            size += value.length;
        }
        synchronized (sequenceLock) {
            if (bytes.get() + reservedBytes + size > maxBytes) {
                release(reservation);
                throw new SpoolFullException("The spool holds " + bytes.get() + " of its " + maxBytes + " bytes and"
                        + " cannot take " + size + " more; it empties as Kafka takes the events back"
                        + " (raise spool.maxSize for longer outages).");
            }
            reservedBytes += size;
        }
        long first = reservation.first;
        boolean written = false;
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < encoded.size(); i++) {
                batch.put(key(first + i), encoded.get(i));
            }
            db.write(syncWrites, batch);
            written = true;
        } catch (RocksDBException e) {
            throw new IllegalStateException("Writing " + entries.size() + " events to the spool failed: "
                    + e.getMessage(), e);
        } finally {
            synchronized (sequenceLock) {
                reservedBytes -= size;
                if (written) {
                    depth.addAndGet(entries.size());
                    bytes.addAndGet(size);
                }
            }
            // A failed write leaves a gap nobody will fill; it counts as done so later entries show.
            release(reservation);
        }
        return first;
    }

    private void markDone(long start, long end) {
        if (start == end) {
            return;
        }
        doneAhead.put(start, end);
        Long next;
        while ((next = doneAhead.remove(committedBelow)) != null) {
            committedBelow = next;
        }
    }

    /** The oldest committed entries, at most {@code maxRecords} and (but for the first) {@code maxBytes}. */
    public List<SpooledRecord> readOldest(int maxRecords, long maxBytes) {
        long limit;
        synchronized (sequenceLock) {
            limit = committedBelow;
        }
        List<SpooledRecord> records = new ArrayList<>();
        long size = 0;
        try (RocksIterator iterator = db.newIterator()) {
            for (iterator.seekToFirst(); iterator.isValid() && records.size() < maxRecords; iterator.next()) {
                long sequence = ByteBuffer.wrap(iterator.key()).getLong();
                if (sequence >= limit) {
                    break;
                }
                byte[] value = iterator.value();
                if (!records.isEmpty() && size + value.length > maxBytes) {
                    break;
                }
                size += value.length;
                records.add(new SpooledRecord(sequence, decode(value)));
            }
        }
        return records;
    }

    /**
     * Removes every entry up to and including {@code sequence}. Not synced: after a crash a removal
     * may be undone, and the entries are published again, with their event ids for deduplication.
     */
    public void removeThrough(long sequence) {
        long removedCount = 0;
        long removedBytes = 0;
        try (RocksIterator iterator = db.newIterator(); WriteBatch batch = new WriteBatch()) {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
                long current = ByteBuffer.wrap(iterator.key()).getLong();
                if (current > sequence) {
                    break;
                }
                batch.delete(iterator.key());
                removedCount++;
                removedBytes += iterator.value().length;
            }
            db.write(plainWrites, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("Removing delivered events from the spool failed: " + e.getMessage(), e);
        }
        depth.addAndGet(-removedCount);
        bytes.addAndGet(-removedBytes);
    }

    public long depth() {
        return depth.get();
    }

    public long bytes() {
        return bytes.get();
    }

    public boolean isEmpty() {
        return depth.get() == 0;
    }

    @Override
    public void close() {
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            // Every append was synced already; a failing final sync loses nothing.
        }
        db.close();
        syncWrites.close();
        plainWrites.close();
        options.close();
    }

    /** Sequences held for entries that may be appended later; see {@link #reserve}. */
    public static final class Reservation {

        private final long first;
        private final int count;
        private final AtomicBoolean released = new AtomicBoolean();

        private Reservation(long first, int count) {
            this.first = first;
            this.count = count;
        }
    }

    private static byte[] key(long sequence) {
        return ByteBuffer.allocate(Long.BYTES).putLong(sequence).array();
    }

    private static byte[] encode(SpoolEntry entry) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(entry.value().length + 128);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(FORMAT_VERSION);
            out.writeUTF(entry.topic());
            writeBytes(out, entry.key());
            writeBytes(out, entry.value());
            out.writeInt(entry.headers().size());
            for (Map.Entry<String, byte[]> header : entry.headers().entrySet()) {
                out.writeUTF(header.getKey());
                writeBytes(out, header.getValue());
            }
            out.writeLong(entry.acceptedAtMillis());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            out.write(bytes);
        }
    }

    private static SpoolEntry decode(byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalStateException("Spool entry has format version " + version + ", this gateway reads "
                        + FORMAT_VERSION + "; drain the spool with the gateway version that wrote it.");
            }
            String topic = in.readUTF();
            byte[] key = readBytes(in);
            byte[] payload = readBytes(in);
            int headerCount = in.readInt();
            Map<String, byte[]> headers = new LinkedHashMap<>();
            for (int i = 0; i < headerCount; i++) {
                headers.put(in.readUTF(), readBytes(in));
            }
            return new SpoolEntry(topic, key, payload, headers, in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException("A spool entry is corrupt", e);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        return length < 0 ? null : in.readNBytes(length);
    }
}
