package dev.eventbackbone.audit.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * RocksDB key layouts. Every key starts with the tenant and a 0 byte (tenant ids never contain
 * one), so one tenant's data is one contiguous range and no scan can cross into another tenant's.
 * Sequence numbers are 8 big-endian bytes, so byte order is numeric order.
 */
final class Keys {

    /** Index values longer than this are cut: an index only proposes candidates, the record decides. */
    private static final int MAX_INDEXED_VALUE = 200;

    private Keys() {
    }

    static byte[] tenantPrefix(String tenant) {
        byte[] tenantBytes = tenant.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(tenantBytes.length + 1).put(tenantBytes).put((byte) 0).array();
    }

    static byte[] record(String tenant, long sequence) {
        byte[] prefix = tenantPrefix(tenant);
        return ByteBuffer.allocate(prefix.length + Long.BYTES).put(prefix).putLong(sequence).array();
    }

    static long sequenceAtEnd(byte[] key) {
        return ByteBuffer.wrap(key, key.length - Long.BYTES, Long.BYTES).getLong();
    }

    static byte[] eventId(String tenant, String eventId) {
        return concat(tenantPrefix(tenant), eventId.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code tag, tenant, 0, value, 0}: the prefix of all entries of one indexed value. */
    static byte[] indexValuePrefix(IndexField field, String tenant, String value) {
        return concat(new byte[] {field.tag}, tenantPrefix(tenant), indexedValue(value), new byte[] {0});
    }

    /** {@code tag, tenant, 0, valuePrefix}: the prefix of all entries whose value starts with it. */
    static byte[] indexPrefixScan(IndexField field, String tenant, String valuePrefix) {
        return concat(new byte[] {field.tag}, tenantPrefix(tenant), indexedValue(valuePrefix));
    }

    /** A prefix with a sequence number appended: the full key of an index entry or a record. */
    static byte[] withSequence(byte[] prefix, long sequence) {
        return ByteBuffer.allocate(prefix.length + Long.BYTES).put(prefix).putLong(sequence).array();
    }

    /**
     * {@code tag, tenant, 0, occurredAt, sequence}: occurredAt with its sign bit flipped, so that
     * unsigned byte order is numeric order for times before 1970 too.
     */
    static byte[] timeIndex(String tenant, long occurredAtMillis, long sequence) {
        return withSequence(timeIndexValuePrefix(tenant, occurredAtMillis), sequence);
    }

    static byte[] timeIndexValuePrefix(String tenant, long occurredAtMillis) {
        byte[] prefix = timeIndexPrefix(tenant);
        return ByteBuffer.allocate(prefix.length + Long.BYTES).put(prefix).putLong(occurredAtMillis ^ Long.MIN_VALUE)
                .array();
    }

    static byte[] timeIndexPrefix(String tenant) {
        return concat(new byte[] {IndexField.TIME.tag}, tenantPrefix(tenant));
    }

    /** The occurredAt of a time index key. */
    static long timeOf(byte[] timeIndexKey) {
        return ByteBuffer.wrap(timeIndexKey, timeIndexKey.length - 2 * Long.BYTES, Long.BYTES).getLong() ^ Long.MIN_VALUE;
    }

    /** The indexed value of an index key: between the tenant's 0 byte and the 0 before the sequence. */
    static String indexedValueOf(byte[] key, int tenantPrefixLength) {
        int start = 1 + tenantPrefixLength;
        return new String(key, start, key.length - Long.BYTES - 1 - start, StandardCharsets.UTF_8);
    }

    static byte[] partition(String topic, int partition) {
        return (topic + "-" + partition).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] longValue(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    static long longOf(byte[] value) {
        return ByteBuffer.wrap(value).getLong();
    }

    /** The smallest key greater than every key starting with the prefix. */
    static byte[] after(byte[] prefix) {
        byte[] end = Arrays.copyOf(prefix, prefix.length);
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        throw new IllegalArgumentException("A prefix of 0xFF bytes has no successor");
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] indexedValue(String value) {
        byte[] bytes = (value.indexOf('\0') < 0 ? value : value.replace('\0', ' ')).getBytes(StandardCharsets.UTF_8);
        return bytes.length <= MAX_INDEXED_VALUE ? bytes : Arrays.copyOf(bytes, MAX_INDEXED_VALUE);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            buffer.put(part);
        }
        return buffer.array();
    }
}
