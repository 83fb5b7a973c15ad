package dev.eventbackbone.analytics;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
 * frequent names and property values (frequent-items sketches). Every part merges exactly across windows, so a range is
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
    /** Property values ({@code key=value} pairs of every property) tracked per window. */
    static final int TOP_PROPERTIES_MAP_SIZE = 512;
    /** Longer key and value pairs are not tracked: 512 of them must fit a Kafka record. */
    static final int MAX_PROPERTY_PAIR_LENGTH = 200;
    /** Between a property's key and its value in the top-properties sketch: a character no key or value has. */
    private static final char PROPERTY_SEPARATOR = '\u001f';
    /** 2 added the top property values; 1 is still read. */
    private static final byte FORMAT = 2;
    private static final ArrayOfStringsSerDe STRINGS = new ArrayOfStringsSerDe();

    long count;
    double sum;
    private HllSketch users;
    private KllDoublesSketch values;
    private ItemsSketch<String> names;
    private ItemsSketch<String> properties;
    /** The serialized form of each sketch not decoded since it was read; null once decoded or absent. */
    private byte[] usersBytes;
    private byte[] valuesBytes;
    private byte[] namesBytes;
    private byte[] propertiesBytes;

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

    /** The most frequent property values (the tenant's {@code *} rollup only), or null. */
    ItemsSketch<String> properties() {
        if (propertiesBytes != null) {
            properties = ItemsSketch.getInstance(Memory.wrap(propertiesBytes), STRINGS);
            propertiesBytes = null;
        }
        return properties;
    }

    /** Adds a measure; {@code all} also counts its name and property values among the top ones. */
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
            if (!measure.properties().isEmpty()) {
                if (properties() == null) {
                    properties = new ItemsSketch<>(TOP_PROPERTIES_MAP_SIZE);
                }
                measure.properties().forEach((key, value) -> {
                    if (key.length() + value.length() <= MAX_PROPERTY_PAIR_LENGTH) {
                        properties.update(key + PROPERTY_SEPARATOR + value);
                    }
                });
            }
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
        if (part.properties() != null) {
            if (properties() == null) {
                properties = part.properties;
            } else {
                properties.merge(part.properties);
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
            if (rollup.properties() != null) {
                if (merged.properties == null) {
                    merged.properties = new ItemsSketch<>(TOP_PROPERTIES_MAP_SIZE);
                }
                merged.properties.merge(rollup.properties());
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
        ItemsSketch<String> properties;

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

        /** The property's most frequent values with their estimated counts, most frequent first. */
        List<Map.Entry<String, Long>> topValues(String property) {
            if (properties == null) {
                return List.of();
            }
            String prefix = property + PROPERTY_SEPARATOR;
            return Arrays.stream(properties.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES))
                    .filter(row -> row.getItem().startsWith(prefix))
                    .map(row -> Map.entry(row.getItem().substring(prefix.length()), row.getEstimate())).toList();
        }
    }

    byte[] toBytes() {
        byte[] hll = usersBytes != null ? usersBytes : users == null ? new byte[0] : users.toCompactByteArray();
        byte[] kll = valuesBytes != null ? valuesBytes : values == null ? new byte[0] : values.toByteArray();
        byte[] top = namesBytes != null ? namesBytes : names == null ? new byte[0] : names.toByteArray(STRINGS);
        byte[] props = propertiesBytes != null ? propertiesBytes
                : properties == null ? new byte[0] : properties.toByteArray(STRINGS);
        ByteBuffer out = ByteBuffer.allocate(1 + 8 + 8 + 16 + hll.length + kll.length + top.length + props.length);
        out.put(FORMAT).putLong(count).putDouble(sum);
        out.putInt(hll.length).put(hll).putInt(kll.length).put(kll).putInt(top.length).put(top);
        out.putInt(props.length).put(props);
        return out.array();
    }

    static Rollup fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte format = in.get();
        if (format != FORMAT && format != 1) {
            throw new IllegalArgumentException("Unknown rollup format " + format + "; this version reads 1 and " + FORMAT);
        }
        Rollup rollup = new Rollup();
        rollup.count = in.getLong();
        rollup.sum = in.getDouble();
        byte[] hll = next(in);
        byte[] kll = next(in);
        byte[] top = next(in);
        byte[] props = format == 1 ? new byte[0] : next(in);
        rollup.usersBytes = hll.length == 0 ? null : hll;
        rollup.valuesBytes = kll.length == 0 ? null : kll;
        rollup.namesBytes = top.length == 0 ? null : top;
        rollup.propertiesBytes = props.length == 0 ? null : props;
        return rollup;
    }

    private static byte[] next(ByteBuffer in) {
        byte[] part = new byte[in.getInt()];
        in.get(part);
        return part;
    }
}
