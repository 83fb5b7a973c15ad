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

    /** E.g. {@code topic orders.commands has partitions 3, catalog expects 12: increase with ...}. */
    public String message() {
        return "topic " + topic + " has " + setting + " " + actual + ", catalog expects " + expected + ": " + remedy;
    }

    @Override
    public String toString() {
        return message();
    }
}
