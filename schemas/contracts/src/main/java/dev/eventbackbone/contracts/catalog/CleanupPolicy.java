package dev.eventbackbone.contracts.catalog;

/** Kafka's {@code cleanup.policy} for a topic. */
public enum CleanupPolicy {
    /** Old segments are deleted once older than the retention. */
    DELETE("delete"),
    /** Only the latest record per key is kept. */
    COMPACT("compact"),
    /** Compacted, and segments older than the retention are deleted as well. */
    COMPACT_DELETE("compact,delete");

    private final String configValue;

    CleanupPolicy(String configValue) {
        this.configValue = configValue;
    }

    /** The value of {@code cleanup.policy} as Kafka spells it. */
    public String configValue() {
        return configValue;
    }

    @Override
    public String toString() {
        return configValue;
    }
}
