package dev.eventbackbone.analytics;

import java.nio.ByteBuffer;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * What one window knows about one tenant's name: how many, the sum of their values, the distinct
 * users (HLL), the distribution of values (KLL) and, for the tenant's {@code *} rollup, the most
 * frequent names (frequent-items sketch). Every part merges exactly across windows, so a range is
 * answered by merging its windows, never by recounting.
 *
 * <p>Read from bytes, a sketch stays in its serialized form until it is first used: a time series
 * needs only the counts and sums of its windows, and a sketch that was not changed is written
 * back as the bytes it was read from.
 */
public final class Rollup {

    /** 2^14 registers: a relative standard error of 0.8 % on distinct users. */
    static final int HLL_LG_K = 14;
    /** KLL's k of 200: a normalized rank error of about 1.65 % (single-sided, 99 % confidence). */
    static final int KLL_K = 200;
    /** Names tracked per window in the top-names sketch. */
    static final int TOP_MAP_SIZE = 128;
    private static final byte FORMAT = 1;
    private static final ArrayOfStringsSerDe STRINGS = new ArrayOfStringsSerDe();

    long count;
    double sum;
    private HllSketch users;
    private KllDoublesSketch values;
    private ItemsSketch<String> names;
    /** The serialized form of each sketch not decoded since it was read; null once decoded or absent. */
    private byte[] usersBytes;
    private byte[] valuesBytes;
    private byte[] namesBytes;

    public long count() {
        return count;
    }

    public double sum() {
        return sum;
    }

    /** The distinct users, or null when no event named one. */
    HllSketch users() {
        if (usersBytes != null) {
            users = HllSketch.heapify(usersBytes);
            usersBytes = null;
        }
        return users;
    }

    /** The distribution of values, or null when no event had one. */
    KllDoublesSketch values() {
        if (valuesBytes != null) {
            values = KllDoublesSketch.heapify(Memory.wrap(valuesBytes));
            valuesBytes = null;
        }
        return values;
    }

    /** The most frequent names (the tenant's {@code *} rollup only), or null. */
    ItemsSketch<String> names() {
        if (namesBytes != null) {
            names = ItemsSketch.getInstance(Memory.wrap(namesBytes), STRINGS);
            namesBytes = null;
        }
        return names;
    }

    /** Adds a measure; {@code all} also counts its name among the top names. */
    Rollup add(Measure measure, boolean all) {
        count++;
        if (measure.userId() != null) {
            if (users() == null) {
                users = new HllSketch(HLL_LG_K, TgtHllType.HLL_4);
            }
            users.update(measure.userId());
        }
        if (measure.value() != null && Double.isFinite(measure.value())) {
            sum += measure.value();
            if (values() == null) {
                values = KllDoublesSketch.newHeapInstance(KLL_K);
            }
            values.update(measure.value());
        }
        if (all) {
            if (names() == null) {
                names = new ItemsSketch<>(TOP_MAP_SIZE);
            }
            names.update(measure.name());
        }
        return this;
    }

    /**
     * Adds a part of the same window counted elsewhere (a task's rollup of the events it read since
     * it last passed one on); the part is taken over, not copied, and must not be used afterwards.
     */
    Rollup absorb(Rollup part) {
        count += part.count;
        sum += part.sum;
        if (part.users() != null) {
            if (users() == null) {
                users = part.users;
            } else {
                Union union = new Union(HLL_LG_K);
                union.update(users);
                union.update(part.users);
                users = union.getResult(TgtHllType.HLL_4);
            }
        }
        if (part.values() != null) {
            if (values() == null) {
                values = part.values;
            } else {
                values.merge(part.values);
            }
        }
        if (part.names() != null) {
            if (names() == null) {
                names = part.names;
            } else {
                names.merge(part.names);
            }
        }
        return this;
    }

    /** The windows of a range merged into one. */
    static Merged merge(Iterable<Rollup> rollups) {
        Merged merged = new Merged();
        Union users = new Union(HLL_LG_K);
        for (Rollup rollup : rollups) {
            merged.count += rollup.count;
            merged.sum += rollup.sum;
            if (rollup.users() != null) {
                users.update(rollup.users());
            }
            if (rollup.values() != null) {
                if (merged.values == null) {
                    merged.values = KllDoublesSketch.newHeapInstance(KLL_K);
                }
                merged.values.merge(rollup.values());
            }
            if (rollup.names() != null) {
                if (merged.names == null) {
                    merged.names = new ItemsSketch<>(TOP_MAP_SIZE);
                }
                merged.names.merge(rollup.names());
            }
        }
        merged.users = users.getResult(TgtHllType.HLL_4);
        return merged;
    }

    /** A range's merge: the same parts, and the answers drawn from them. */
    static final class Merged {
        long count;
        double sum;
        HllSketch users;
        KllDoublesSketch values;
        ItemsSketch<String> names;

        double distinctUsers() {
            return users == null ? 0 : users.getEstimate();
        }

        /** Bounds of the distinct users at about 95 % confidence (two standard deviations). */
        double[] distinctUsersBounds() {
            return users == null ? new double[] {0, 0} : new double[] {users.getLowerBound(2), users.getUpperBound(2)};
        }

        ItemsSketch.Row<String>[] topNames() {
            return names == null ? null : names.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES);
        }
    }

    byte[] toBytes() {
        byte[] hll = usersBytes != null ? usersBytes : users == null ? new byte[0] : users.toCompactByteArray();
        byte[] kll = valuesBytes != null ? valuesBytes : values == null ? new byte[0] : values.toByteArray();
        byte[] top = namesBytes != null ? namesBytes : names == null ? new byte[0] : names.toByteArray(STRINGS);
        ByteBuffer out = ByteBuffer.allocate(1 + 8 + 8 + 12 + hll.length + kll.length + top.length);
        out.put(FORMAT).putLong(count).putDouble(sum);
        out.putInt(hll.length).put(hll).putInt(kll.length).put(kll).putInt(top.length).put(top);
        return out.array();
    }

    static Rollup fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte format = in.get();
        if (format != FORMAT) {
            throw new IllegalArgumentException("Unknown rollup format " + format + "; this version reads " + FORMAT);
        }
        Rollup rollup = new Rollup();
        rollup.count = in.getLong();
        rollup.sum = in.getDouble();
        byte[] hll = next(in);
        byte[] kll = next(in);
        byte[] top = next(in);
        rollup.usersBytes = hll.length == 0 ? null : hll;
        rollup.valuesBytes = kll.length == 0 ? null : kll;
        rollup.namesBytes = top.length == 0 ? null : top;
        return rollup;
    }

    private static byte[] next(ByteBuffer in) {
        byte[] part = new byte[in.getInt()];
        in.get(part);
        return part;
    }
}
