package dev.eventbackbone.contracts.catalog;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalog's topics on a cluster and checks the ones that already exist.
 *
 * <p>Missing topics are created; a topic created concurrently by someone else is treated as
 * existing. Existing topics are compared with the catalog (partitions, replication factor and
 * every config the spec sets) and each difference is reported, never fixed: adding partitions
 * remaps keys and changing retention or cleanup can delete data, so that is an operator's call.
 *
 * <p>The catalog states production replication. On a smaller cluster the replication factor is
 * capped to what the cluster can hold, and {@code min.insync.replicas} to the capped replication
 * factor; each capping is recorded in the report's notes.
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration METADATA_RETRY_BACKOFF = Duration.ofMillis(100);
    private static final String BOOTSTRAP = "<bootstrap>";

    private final Admin admin;
    private final int maxReplicationFactor;
    private final String capReason;

    private TopicProvisioner(Admin admin, int maxReplicationFactor, String capReason) {
        if (maxReplicationFactor < 1) {
            throw new IllegalArgumentException("the replication cap must be at least 1, was " + maxReplicationFactor);
        }
        this.admin = admin;
        this.maxReplicationFactor = maxReplicationFactor;
        this.capReason = capReason;
    }

    /** A provisioner that caps replication to the number of brokers the cluster has now. */
    public static TopicProvisioner forCluster(Admin admin) {
        int brokers = await(admin.describeCluster().nodes(), "count the cluster's brokers").size();
        return new TopicProvisioner(admin, brokers, "the cluster has " + brokers + " broker(s)");
    }

    /** Provisions every catalog topic on the cluster at the bootstrap address, with an admin client of its own. */
    public static ProvisioningReport provisionCatalog(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            return forCluster(admin).provision(TopicCatalog.all());
        }
    }

    /** A provisioner that caps replication to {@code maxReplicationFactor}. */
    public static TopicProvisioner withReplicationCap(Admin admin, int maxReplicationFactor) {
        return new TopicProvisioner(admin, maxReplicationFactor, "the replication cap is " + maxReplicationFactor);
    }

    /**
     * Creates what is missing, returning once the cluster serves it, and compares what exists.
     *
     * @throws TopicProvisioningException when the cluster cannot be reached or refuses a topic
     */
    public ProvisioningReport provision(Collection<TopicSpec> topics) {
        Map<String, TopicSpec> wanted = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (TopicSpec spec : topics) {
            TopicSpec capped = capped(spec, notes);
            if (wanted.putIfAbsent(spec.name(), capped) != null) {
                throw new IllegalArgumentException("topic " + spec.name() + " is listed twice; give each spec a unique name");
            }
        }
        Set<String> existing = await(admin.listTopics().names(), "list topics");

        List<String> created = new ArrayList<>();
        List<String> toCompare = new ArrayList<>();
        List<NewTopic> missing = new ArrayList<>();
        for (TopicSpec spec : wanted.values()) {
            if (existing.contains(spec.name())) {
                toCompare.add(spec.name());
            } else {
                missing.add(new NewTopic(spec.name(), spec.partitions(), (short) spec.replicationFactor())
                        .configs(spec.topicConfigs()));
            }
        }
        if (!missing.isEmpty()) {
            Map<String, KafkaFuture<Void>> results = admin.createTopics(missing).values();
            for (NewTopic topic : missing) {
                if (create(topic.name(), results.get(topic.name()))) {
                    created.add(topic.name());
                    LOG.info("Created topic {} ({} partitions)", topic.name(), topic.numPartitions());
                } else {
                    toCompare.add(topic.name());
                }
            }
        }

        if (!created.isEmpty()) {
            // Callers produce right after provisioning, so return only once the broker serves the new topics.
            describe(created);
        }
        List<String> unchanged = new ArrayList<>();
        List<TopicMismatch> mismatches = new ArrayList<>();
        if (!toCompare.isEmpty()) {
            compareExisting(toCompare, wanted, unchanged, mismatches);
        }
        return new ProvisioningReport(created, unchanged, mismatches, notes);
    }

    private void compareExisting(List<String> topics, Map<String, TopicSpec> wanted, List<String> unchanged,
                                 List<TopicMismatch> mismatches) {
        Map<String, TopicDescription> descriptions = describe(topics);
        Map<String, Config> configs = describeConfigs(topics);
        for (String name : topics) {
            List<TopicMismatch> found = compare(wanted.get(name), descriptions.get(name), configs.get(name));
            if (found.isEmpty()) {
                unchanged.add(name);
            } else {
                found.forEach(mismatch -> LOG.warn("Catalog mismatch: {}", mismatch.message()));
                mismatches.addAll(found);
            }
        }
    }

    private TopicSpec capped(TopicSpec spec, List<String> notes) {
        int replication = Math.min(spec.replicationFactor(), maxReplicationFactor);
        Map<String, String> configs = new HashMap<>(spec.configs());
        List<String> cappings = new ArrayList<>();
        if (replication < spec.replicationFactor()) {
            cappings.add("replication factor capped from " + spec.replicationFactor() + " to " + replication);
        }
        String minInSync = configs.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        if (minInSync != null && Integer.parseInt(minInSync) > replication) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(replication));
            cappings.add(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG + " capped from " + minInSync + " to " + replication);
        }
        if (cappings.isEmpty()) {
            return spec;
        }
        String note = "topic " + spec.name() + ": " + String.join(" and ", cappings) + " because " + capReason
                + "; production needs replication factor " + spec.replicationFactor();
        LOG.info(note);
        notes.add(note);
        return new TopicSpec(spec.name(), spec.keyDescription(), spec.valueSchema(), spec.partitions(), replication,
                spec.retention(), spec.cleanupPolicy(), configs, spec.owner(), spec.consumers(), spec.description());
    }

    /** True when this call created the topic, false when it already existed (a concurrent creator won). */
    private static boolean create(String topic, KafkaFuture<Void> result) {
        try {
            result.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new TopicProvisioningException("could not create topic " + topic + ": " + e.getCause().getMessage()
                    + "; check that the brokers are up and this client may create topics", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicProvisioningException("interrupted while creating topic " + topic, e);
        } catch (TimeoutException e) {
            throw new TopicProvisioningException("creating topic " + topic + " took longer than " + TIMEOUT
                    + "; check that the brokers are reachable", e);
        }
    }

    /**
     * A topic just created, here or by a concurrent creator, may not have reached the broker's
     * metadata yet, so an unknown topic is asked about again until the timeout.
     */
    private Map<String, TopicDescription> describe(List<String> topics) {
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || Instant.now().isAfter(deadline)) {
                    throw failure("describe topics " + topics, e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("describe topics " + topics, e);
            } catch (TimeoutException e) {
                throw failure("describe topics " + topics, e);
            }
            pause();
        }
    }

    private Map<String, Config> describeConfigs(List<String> topics) {
        List<ConfigResource> resources = topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic))
                .toList();
        Map<ConfigResource, Config> byResource = await(admin.describeConfigs(resources).all(),
                "read the configs of topics " + topics);
        return byResource.entrySet().stream()
                .collect(Collectors.toMap(entry -> entry.getKey().name(), Map.Entry::getValue));
    }

    private static List<TopicMismatch> compare(TopicSpec spec, TopicDescription description, Config config) {
        String topic = spec.name();
        List<TopicMismatch> mismatches = new ArrayList<>();
        int partitions = description.partitions().size();
        if (partitions < spec.partitions()) {
            mismatches.add(new TopicMismatch(topic, TopicMismatch.PARTITIONS, Integer.toString(spec.partitions()),
                    Integer.toString(partitions),
                    "increase with kafka-topics --bootstrap-server " + BOOTSTRAP + " --alter --topic " + topic
                            + " --partitions " + spec.partitions() + " (changes the key→partition mapping: stop"
                            + " producers and let consumers catch up first, or per-key order breaks)"));
        } else if (partitions > spec.partitions()) {
            mismatches.add(new TopicMismatch(topic, TopicMismatch.PARTITIONS, Integer.toString(spec.partitions()),
                    Integer.toString(partitions),
                    "Kafka cannot remove partitions: change the catalog to " + partitions
                            + ", or drain the topic, delete it and provision it again"));
        }

        Set<Integer> replicationFactors = description.partitions().stream()
                .map(partition -> partition.replicas().size())
                .collect(Collectors.toCollection(TreeSet::new));
        if (!replicationFactors.equals(Set.of(spec.replicationFactor()))) {
            String actual = replicationFactors.size() == 1
                    ? replicationFactors.iterator().next().toString()
                    : replicationFactors + " (varies by partition)";
            mismatches.add(new TopicMismatch(topic, TopicMismatch.REPLICATION_FACTOR, Integer.toString(spec.replicationFactor()),
                    actual,
                    "reassign replicas with kafka-reassign-partitions --bootstrap-server " + BOOTSTRAP
                            + " --reassignment-json-file <plan.json> --execute, listing "
                            + spec.replicationFactor() + " replicas for every partition of " + topic));
        }

        spec.topicConfigs().forEach((key, expected) -> {
            ConfigEntry entry = config.get(key);
            String actual = entry == null || entry.value() == null ? "(not set)" : entry.value();
            if (!sameConfigValue(key, expected, actual)) {
                String value = expected.contains(",") ? "[" + expected + "]" : expected;
                mismatches.add(new TopicMismatch(topic, key, expected, actual,
                        "review the impact, then set it with kafka-configs --bootstrap-server " + BOOTSTRAP
                                + " --alter --entity-type topics --entity-name " + topic
                                + " --add-config " + key + "=" + value));
            }
        });
        return mismatches;
    }

    /** cleanup.policy is a list, so {@code delete,compact} equals {@code compact,delete}. */
    private static boolean sameConfigValue(String key, String expected, String actual) {
        if (key.equals(TopicConfig.CLEANUP_POLICY_CONFIG)) {
            return listValue(expected).equals(listValue(actual));
        }
        return expected.trim().equals(actual.trim());
    }

    private static Set<String> listValue(String value) {
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(item -> !item.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static <T> T await(KafkaFuture<T> future, String action) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(action, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(action, e);
        } catch (TimeoutException e) {
            throw failure(action, e);
        }
    }

    private static TopicProvisioningException failure(String action, Throwable cause) {
        return new TopicProvisioningException("could not " + action + ": " + cause
                + "; check that the brokers are reachable within " + TIMEOUT + " and this client is allowed to describe topics",
                cause);
    }

    private static void pause() {
        try {
            Thread.sleep(METADATA_RETRY_BACKOFF.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicProvisioningException("interrupted while waiting for topic metadata", e);
        }
    }
}
