package dev.eventbackbone.ingest.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A union, whose branch is picked by the kind of the JSON value: a number picks the long of
 * {@code ["null","long","string"]}, an object picks the record of {@code ["string","AuditActor"]}.
 * Only when several branches take the same kind (say an enum and a string) is each tried in
 * schema order, and the first that converts the value cleanly wins.
 */
final class UnionReader implements ValueReader {

    private final Map<JsonNodeType, List<ValueReader>> branchesByKind = new EnumMap<>(JsonNodeType.class);
    private final String expectation;

    UnionReader(List<ValueReader> branches) {
        for (ValueReader branch : branches) {
            for (JsonNodeType kind : branch.kinds()) {
                branchesByKind.computeIfAbsent(kind, unused -> new ArrayList<>()).add(branch);
            }
        }
        this.expectation = describe(branches);
    }

    @Override
    public Object read(JsonNode value, Conversion conversion) {
        List<ValueReader> candidates = branchesByKind.get(value.getNodeType());
        if (candidates == null) {
            return conversion.reject(expectation, value);
        }
        if (candidates.size() > 1) {
            for (ValueReader candidate : candidates) {
                Conversion trial = new Conversion();
                Object converted = candidate.read(value, trial);
                if (!trial.hasErrors()) {
                    return converted;
                }
            }
        }
        // The first branch for this kind is the one the caller most likely meant: let it say what is wrong.
        return candidates.get(0).read(value, conversion);
    }

    @Override
    public String expectation() {
        return expectation;
    }

    @Override
    public Set<JsonNodeType> kinds() {
        return branchesByKind.keySet();
    }

    /** "string or AuditActor object", "long, string or null": null last, as callers think of it. */
    private static String describe(List<ValueReader> branches) {
        List<String> names = new ArrayList<>();
        boolean nullable = false;
        for (ValueReader branch : branches) {
            if (branch.kinds().equals(Set.of(JsonNodeType.NULL))) {
                nullable = true;
            } else {
                names.add(branch.expectation());
            }
        }
        if (nullable) {
            names.add("null");
        }
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}
