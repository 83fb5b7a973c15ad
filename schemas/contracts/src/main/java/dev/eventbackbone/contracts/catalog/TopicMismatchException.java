package dev.eventbackbone.contracts.catalog;

import java.util.List;
import java.util.stream.Collectors;

/** Existing topics differ from the catalog; the message lists each difference and what to do. */
public final class TopicMismatchException extends IllegalStateException {

    private final transient List<TopicMismatch> mismatches;

    public TopicMismatchException(List<TopicMismatch> mismatches) {
        super(mismatches.size() + " topic setting(s) differ from the catalog and were left unchanged:\n"
                + mismatches.stream().map(mismatch -> "  " + mismatch.message()).collect(Collectors.joining("\n")));
        this.mismatches = List.copyOf(mismatches);
    }

    public List<TopicMismatch> mismatches() {
        return mismatches;
    }
}
