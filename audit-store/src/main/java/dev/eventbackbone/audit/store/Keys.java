package dev.eventbackbone.audit.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * RocksDB key layouts. Every key starts with the tenant's UTF-8 bytes behind their length (two
 * bytes), so one tenant's data is one contiguous range and no tenant id, whatever bytes it holds,
 * is a prefix of another tenant's range. Leaf indexes are 8 big-endian bytes, so byte order is
 * numeric order.
 */
final class Keys {

    /** Index values longer than this are cut: an index only proposes candidates, the record decides. */
    private static final int MAX_INDEXED_VALUE = 200;

    private Keys() {
    }

    /** Tenant ids longer than this are refused before they reach a key. */
    static final int MAX_TENANT_BYTES = 0xFFFF;

    static byte[] tenantPrefix(String tenant) {
        byte[] tenantBytes = tenant.getBytes(StandardCharsets.UTF_8);
        if (tenantBytes.length > MAX_TENANT_BYTES) {
            throw new IllegalArgumentException("A tenant id is at most " + MAX_TENANT_BYTES + " bytes of UTF-8");
        }
        return ByteBuffer.allocate(tenantBytes.length + 2).putShort((short) tenantBytes.length).put(tenantBytes).array();
    }

    static String tenantOf(byte[] key) {
        int length = Short.toUnsignedInt(ByteBuffer.wrap(key, 0, 2).getShort());
        return new String(key, 2, length, StandardCharsets.UTF_8);
    }

    /** A tenant's leaf, or anything else keyed by tenant and leaf index. */
    static byte[] leaf(String tenant, long index) {
        return withSequence(tenantPrefix(tenant), index);
    }

    /** A perfect subtree's hash: {@code tenant, level(1), index(8)}. */
    static byte[] node(String tenant, int level, long index) {
        byte[] prefix = tenantPrefix(tenant);
        return ByteBuffer.allocate(prefix.length + 1 + Long.BYTES).put(prefix).put((byte) level).putLong(index).array();
    }

    /** A signed tree head: {@code tenant, timestamp(8), treeSize(8)}, so heads list in signing order. */
    static byte[] head(String tenant, long timestamp, long treeSize) {
        byte[] prefix = tenantPrefix(tenant);
        return ByteBuffer.allocate(prefix.length + 2 * Long.BYTES).put(prefix).putLong(timestamp).putLong(treeSize)
                .array();
    }

    static long sequenceAtEnd(byte[] key) {
        return ByteBuffer.wrap(key, key.length - Long.BYTES, Long.BYTES).getLong();
    }

    static byte[] eventId(String tenant, String eventId) {
        return concat(tenantPrefix(tenant), eventId.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code tag, tenant, value, 0}: the prefix of all entries of one indexed value. */
    static byte[] indexValuePrefix(IndexField field, String tenant, String value) {
        return concat(new byte[] {field.tag}, tenantPrefix(tenant), indexedValue(value), new byte[] {0});
    }

    /** {@code tag, tenant, valuePrefix}: the prefix of all entries whose value starts with it. */
    static byte[] indexPrefixScan(IndexField field, String tenant, String valuePrefix) {
        return concat(new byte[] {field.tag}, tenantPrefix(tenant), indexedValue(valuePrefix));
    }

    /** A prefix with a sequence number appended: the full key of an index entry or a record. */
    static byte[] withSequence(byte[] prefix, long sequence) {
        return ByteBuffer.allocate(prefix.length + Long.BYTES).put(prefix).putLong(sequence).array();
    }

    /**
     * {@code tag, tenant, occurredAt, index}: occurredAt with its sign bit flipped, so that
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

    /** The indexed value's bytes in an index key: after the tenant, before the 0 and the index. */
    static byte[] indexedValueOf(byte[] key, int tenantPrefixLength) {
        int start = 1 + tenantPrefixLength;
        return Arrays.copyOfRange(key, start, key.length - Long.BYTES - 1);
    }

    /** {@code tag, tenant, value bytes, 0}: the prefix of one indexed value, from its bytes as stored. */
    static byte[] indexValuePrefix(IndexField field, String tenant, byte[] storedValue) {
        return concat(new byte[] {field.tag}, tenantPrefix(tenant), storedValue, new byte[] {0});
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

    /** At most {@link #MAX_INDEXED_VALUE} bytes, cut before a character rather than inside one. */
    private static byte[] indexedValue(String value) {
        byte[] bytes = (value.indexOf('\0') < 0 ? value : value.replace('\0', ' ')).getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_INDEXED_VALUE) {
            return bytes;
        }
        int end = MAX_INDEXED_VALUE;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return Arrays.copyOf(bytes, end);
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
