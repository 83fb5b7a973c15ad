package dev.eventbackbone.contracts.catalog;

import java.util.List;

/**
 * What {@link TopicProvisioner#provision} found and did.
 *
 * @param created    topics it created
 * @param unchanged  topics that existed and match the catalog
 * @param mismatches every difference between an existing topic and the catalog, left as found
 * @param notes      deliberate deviations from the catalog, such as replication capped to the broker count
 */
public record ProvisioningReport(List<String> created, List<String> unchanged, List<TopicMismatch> mismatches,
                                 List<String> notes) {

    public ProvisioningReport {
        created = List.copyOf(created);
        unchanged = List.copyOf(unchanged);
        mismatches = List.copyOf(mismatches);
        notes = List.copyOf(notes);
    }

    public boolean hasMismatches() {
        return !mismatches.isEmpty();
    }

    /**
     * Fails when any topic differs from the catalog.
     *
     * @return this report, for chaining
     * @throws TopicMismatchException naming every mismatch and what to do about it
     */
    public ProvisioningReport requireNoMismatches() {
        if (hasMismatches()) {
            throw new TopicMismatchException(mismatches);
        }
        return this;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder()
                .append("created ").append(created.size()).append(" topic(s) ").append(created)
                .append(", ").append(unchanged.size()).append(" unchanged, ")
                .append(mismatches.size()).append(" mismatch(es)");
        mismatches.forEach(mismatch -> text.append("\n  mismatch: ").append(mismatch.message()));
        notes.forEach(note -> text.append("\n  note: ").append(note));
        return text.toString();
    }
}
