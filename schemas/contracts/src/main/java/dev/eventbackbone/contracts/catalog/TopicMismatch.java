package dev.eventbackbone.contracts.catalog;

/**
 * One way an existing topic differs from its catalog entry. The provisioner never fixes these by
 * itself: each can lose data or break ordering, so {@link #remedy()} tells an operator what to run.
 *
 * @param topic    the topic
 * @param setting  {@code partitions}, {@code replication.factor} or a topic config name
 * @param expected the catalog's value (after capping to the cluster)
 * @param actual   the value on the cluster
 * @param remedy   what to do about it
 */
public record TopicMismatch(String topic, String setting, String expected, String actual, String remedy) {

    /** The {@link #setting()} of a partition-count mismatch. */
    public static final String PARTITIONS = "partitions";
    /** The {@link #setting()} of a replication-factor mismatch. */
    public static final String REPLICATION_FACTOR = "replication.factor";

    /** E.g. {@code topic orders.commands has partitions 3, catalog expects 12: increase with ...}. */
    public String message() {
        return "topic " + topic + " has " + setting + " " + actual + ", catalog expects " + expected + ": " + remedy;
    }

    @Override
    public String toString() {
        return message();
    }
}
