package dev.eventbackbone.registry;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Confluent's compatibility levels. Whether two schemas are compatible is decided only by Avro's
 * {@link SchemaCompatibility#checkReaderWriterCompatibility}: BACKWARD means consumers on the new
 * schema read data written with the previous one, FORWARD the reverse, FULL both; the
 * {@code _TRANSITIVE} forms check against every earlier version instead of only the latest.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean newReadsOld;
    private final boolean oldReadsNew;
    private final boolean transitive;

    CompatibilityLevel(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
        this.newReadsOld = newReadsOld;
        this.oldReadsNew = oldReadsNew;
        this.transitive = transitive;
    }

    /**
     * Parses a level name as clients send it, ignoring case.
     *
     * @throws IllegalArgumentException naming the allowed values when the name is not a level
     */
    @JsonCreator
    public static CompatibilityLevel parse(String name) {
        if (name != null) {
            for (CompatibilityLevel level : values()) {
                if (level.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
                    return level;
                }
            }
        }
        throw new IllegalArgumentException("Invalid compatibility level '" + name
                + "'; use one of " + List.of(values()));
    }

    /**
     * Checks a candidate schema against a subject's earlier versions, oldest first.
     *
     * @return one message per incompatibility; empty when the candidate may be registered
     */
    List<String> violations(Schema candidate, List<Schema> earlierVersionsOldestFirst) {
        if (earlierVersionsOldestFirst.isEmpty()) {
            return List.of();
        }
        List<Schema> checked = transitive
                ? earlierVersionsOldestFirst
                : List.of(earlierVersionsOldestFirst.get(earlierVersionsOldestFirst.size() - 1));
        List<String> violations = new ArrayList<>();
        for (Schema earlier : checked) {
            violations.addAll(against(candidate, earlier));
        }
        return violations;
    }

    /** Checks a candidate schema against one earlier version, in this level's directions. */
    List<String> against(Schema candidate, Schema earlier) {
        List<String> violations = new ArrayList<>();
        if (newReadsOld) {
            violations.addAll(describe("new schema cannot read data written with the old one",
                    SchemaCompatibility.checkReaderWriterCompatibility(candidate, earlier)));
        }
        if (oldReadsNew) {
            violations.addAll(describe("old schema cannot read data written with the new one",
                    SchemaCompatibility.checkReaderWriterCompatibility(earlier, candidate)));
        }
        return violations;
    }

    private static List<String> describe(String direction,
                                         SchemaCompatibility.SchemaPairCompatibility pair) {
        if (pair.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return List.of();
        }
        List<String> messages = new ArrayList<>();
        for (Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
            messages.add(direction + ": " + incompatibility.getType() + " at '"
                    + incompatibility.getLocation() + "': " + incompatibility.getMessage());
        }
        return messages;
    }
}
