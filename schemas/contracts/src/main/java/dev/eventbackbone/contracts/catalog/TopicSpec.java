package dev.eventbackbone.contracts.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Everything the backbone promises about one topic: its name, what its key and value are, and
 * how it is laid out and kept.
 *
 * @param name              Kafka topic name
 * @param keyDescription    what the UTF-8 string key is made of, e.g. {@code tenant:actorId}
 * @param valueSchema       Avro schema of every record value, registered under {@code <name>-value}
 * @param partitions        number of partitions; never decreased, and increasing it remaps keys
 * @param replicationFactor replication factor in production; capped to the broker count by the provisioner
 * @param retention         how long records are kept
 * @param cleanupPolicy     delete or compact
 * @param configs           further topic configs such as {@code min.insync.replicas}; never
 *                          {@code cleanup.policy} or {@code retention.ms}, which have their own fields
 * @param owner             the module that writes the topic (its single writer)
 * @param consumers         modules and parties that read it
 * @param description       one line on what the topic holds
 */
public record TopicSpec(
        String name,
        String keyDescription,
        Schema valueSchema,
        int partitions,
        int replicationFactor,
        Retention retention,
        CleanupPolicy cleanupPolicy,
        Map<String, String> configs,
        String owner,
        List<String> consumers,
        String description) {

    private static final Pattern LEGAL_TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (!LEGAL_TOPIC_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' is not a legal Kafka topic name: use 1 to 249"
                    + " characters from [a-zA-Z0-9._-], not '.' or '..'");
        }
        requireText(keyDescription, "keyDescription", name);
        Objects.requireNonNull(valueSchema, () -> "valueSchema of topic " + name);
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + " needs at least 1 partition, was " + partitions);
        }
        if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException("topic " + name + " needs a replication factor from 1 to "
                    + Short.MAX_VALUE + ", was " + replicationFactor);
        }
        Objects.requireNonNull(retention, () -> "retention of topic " + name);
        Objects.requireNonNull(cleanupPolicy, () -> "cleanupPolicy of topic " + name);
        configs = Map.copyOf(configs);
        for (String ownField : List.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.RETENTION_MS_CONFIG)) {
            if (configs.containsKey(ownField)) {
                throw new IllegalArgumentException("topic " + name + " sets " + ownField
                        + " in configs; set it through the cleanupPolicy/retention fields instead");
            }
        }
        String minInSync = configs.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        if (minInSync != null && !minInSync.matches("[1-9][0-9]{0,4}")) {
            throw new IllegalArgumentException("topic " + name + " has min.insync.replicas '" + minInSync
                    + "'; it must be a positive whole number");
        }
        if (minInSync != null && Integer.parseInt(minInSync) > replicationFactor) {
            throw new IllegalArgumentException("topic " + name + " has min.insync.replicas " + minInSync
                    + " above its replication factor " + replicationFactor + ", so no write could succeed");
        }
        requireText(owner, "owner", name);
        consumers = List.copyOf(consumers);
        requireText(description, "description", name);
    }

    /** Every topic config this spec sets, as given to Kafka on creation: cleanup policy, retention and {@link #configs()}. */
    public Map<String, String> topicConfigs() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy.configValue());
        all.put(TopicConfig.RETENTION_MS_CONFIG, retention.configValue());
        all.putAll(configs);
        return all;
    }

    /** The schema registry subject of the value schema (TopicNameStrategy). */
    public String valueSubject() {
        return name + "-value";
    }

    /** The same spec under another name, e.g. to provision a copy of the catalog with a per-environment prefix. */
    public TopicSpec withName(String newName) {
        return new TopicSpec(newName, keyDescription, valueSchema, partitions, replicationFactor, retention,
                cleanupPolicy, configs, owner, consumers, description);
    }

    private static void requireText(String value, String field, String topic) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("topic " + topic + " needs a non-blank " + field);
        }
    }
}
