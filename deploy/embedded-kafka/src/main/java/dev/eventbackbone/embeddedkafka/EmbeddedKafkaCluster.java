package dev.eventbackbone.embeddedkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka cluster (KRaft, every node both broker and controller) running in this
 * JVM on 127.0.0.1: one node for the local stack, up to three for tests of replication and
 * fail-over.
 *
 * <pre>{@code
 * try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().nodes(3).start()) {
 *     producerConfig.put("bootstrap.servers", kafka.bootstrapServers());
 *     kafka.stopNode(2);
 * }
 * }</pre>
 *
 * <p>Node {@code i} has {@code node.id=i}, a {@code PLAINTEXT} listener for clients and a
 * {@code CONTROLLER} listener for the quorum (static {@code controller.quorum.voters}), both on
 * 127.0.0.1 and pinned for the cluster's life, so a node started again comes back on the same
 * ports. Broker defaults, each overridable with {@link Builder#brokerProperty}:
 * <ul>
 *   <li>internal topics (offsets, transactions, share state) and {@code default.replication.factor}
 *       replicated on every node; {@code min.insync.replicas} 2 with three nodes, else 1;</li>
 *   <li>{@code num.partitions=1}, {@code group.initial.rebalance.delay.ms=0};</li>
 *   <li>{@code auto.create.topics.enable=false}: topics come from an admin call (a topic
 *       catalog's provisioner, Kafka Streams' internal topics), never from a typo;</li>
 *   <li>Kafka's own flush defaults: durability comes from replication and the OS.</li>
 * </ul>
 *
 * <p>Storage is formatted on first start; a cluster started again on the same {@link
 * Builder#dataDir data directory} (with the same node count) keeps its topics and records.
 * Close Kafka clients and Streams applications before the cluster, or each of them waits for
 * its timeouts. Kafka halts the JVM on a fatal fault inside a node, so never delete or change a
 * data directory under a running cluster.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final String CLUSTER_ID_FILE = "cluster.id";
    private static final String NODE_DIR_PREFIX = "node-";
    /** Bounds each node's own start, so no start outlives {@link #READY_TIMEOUT} and the cluster's close. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final List<KafkaNode> nodes;
    private final Path dataDir;
    private final boolean temporaryDataDir;
    private boolean closed;

    private EmbeddedKafkaCluster(List<KafkaNode> nodes, Path dataDir, boolean temporaryDataDir) {
        this.nodes = nodes;
        this.dataDir = dataDir;
        this.temporaryDataDir = temporaryDataDir;
    }

    /** A builder for a single node on free ports with a temporary data directory. */
    public static Builder builder() {
        return new Builder();
    }

    /** Comma-separated {@code host:port} of the nodes that are running now. */
    public synchronized String bootstrapServers() {
        return nodes.stream().filter(KafkaNode::isRunning).map(KafkaNode::bootstrapAddress)
                .collect(Collectors.joining(","));
    }

    /** How many nodes the cluster has, running or stopped. */
    public int nodeCount() {
        return nodes.size();
    }

    /** The directory holding every node's data ({@code node-<id>}) and the cluster id. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Stops node {@code nodeId} (0-based) cleanly: its partition leaderships move to the other nodes
     * first. Its data and ports are kept for {@link #startNode}. Stopping a majority of the nodes
     * leaves the cluster without a controller quorum until one of them starts again.
     */
    public synchronized void stopNode(int nodeId) {
        requireOpen();
        long started = System.nanoTime();
        node(nodeId).stop();
        LOG.info("Kafka node {} stopped in {} ms", nodeId, millisSince(started));
    }

    /** Starts a stopped node again on its ports and data, and waits until the cluster sees it. */
    public synchronized void startNode(int nodeId) {
        requireOpen();
        long started = System.nanoTime();
        node(nodeId).start();
        awaitBrokers(nodes.stream().filter(KafkaNode::isRunning).map(KafkaNode::id).collect(Collectors.toSet()));
        LOG.info("Kafka node {} started again in {} ms", nodeId, millisSince(started));
    }

    /**
     * Stops every node and deletes the data directory if the cluster made it; does nothing the
     * second time. A multi-node cluster takes about 5 s: the last controller of the quorum waits in
     * vain for a successor before it gives up (Kafka logs that as a failed graceful shutdown).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        // All at once: a node stopped last on its own has lost the controller quorum, and its
        // broker's controlled shutdown would wait for that quorum until it times out.
        onEveryNode("stop", KafkaNode::stop);
        // Only after every node has stopped: a node that loses its log directory under it halts the JVM.
        if (temporaryDataDir) {
            deleteRecursively(dataDir);
        }
        LOG.info("Kafka cluster of {} node(s) closed in {} ms", nodes.size(), millisSince(started));
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("This Kafka cluster (data in " + dataDir + ") is closed; build a new one");
        }
    }

    private KafkaNode node(int nodeId) {
        if (nodeId < 0 || nodeId >= nodes.size()) {
            throw new IllegalArgumentException("No node " + nodeId + ": this cluster has nodes 0.." + (nodes.size() - 1));
        }
        return nodes.get(nodeId);
    }

    private void start() {
        try {
            startInParallel();
            awaitBrokers(nodes.stream().map(KafkaNode::id).collect(Collectors.toSet()));
        } catch (RuntimeException e) {
            try {
                close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    /**
     * A combined node's start-up blocks until its broker has caught up with the controller quorum,
     * which needs a majority of the other nodes up: so every node starts on its own thread.
     */
    private void startInParallel() {
        onEveryNode("start", KafkaNode::start);
    }

    private void onEveryNode(String action, Consumer<KafkaNode> step) {
        List<CompletableFuture<Void>> steps = nodes.stream()
                .map(node -> CompletableFuture.runAsync(() -> step.accept(node), runnable -> {
                    Thread thread = new Thread(runnable, "embedded-kafka-" + action + "-" + node.id());
                    thread.setDaemon(true);
                    thread.start();
                }))
                .toList();
        try {
            CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                    .get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during Kafka node " + action, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka node " + action + " did not finish within "
                    + READY_TIMEOUT.toSeconds() + " s: " + e.getMessage(), e);
        }
    }

    private void awaitBrokers(Set<Integer> expected) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        Set<Integer> seen = Set.of();
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                try {
                    seen = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                            .map(Node::id).collect(Collectors.toSet());
                    if (seen.containsAll(expected)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debug("Cluster not ready yet: {}", e.toString());
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka cluster to start", e);
        }
        throw new IllegalStateException("Kafka nodes " + expected + " did not all register within "
                + READY_TIMEOUT.toSeconds() + " s (registered: " + seen + "); see the broker log above");
    }

    private static String clusterId(Path dataDir) {
        Path file = dataDir.resolve(CLUSTER_ID_FILE);
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            String clusterId = Uuid.randomUuid().toString();
            Files.createDirectories(dataDir);
            Files.writeString(file, clusterId, StandardCharsets.UTF_8);
            return clusterId;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the cluster id in " + file, e);
        }
    }

    /** Nodes of a kept cluster vote with the nodes they were formatted with; another count cannot form a quorum. */
    private static void requireSameNodeCount(Path dataDir, int nodes) {
        long existing;
        try (Stream<Path> children = Files.list(dataDir)) {
            existing = children.filter(Files::isDirectory)
                    .filter(child -> child.getFileName().toString().startsWith(NODE_DIR_PREFIX))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the Kafka data directory " + dataDir, e);
        }
        if (existing != 0 && existing != nodes) {
            throw new IllegalStateException("The Kafka data directory " + dataDir + " holds a cluster of " + existing
                    + " node(s), not " + nodes + ": start it with nodes(" + existing + ") or use another dataDir");
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", dir, e.toString());
        }
    }

    /** How to start a cluster; every setting has a default suited to tests. */
    public static final class Builder {
        private int nodes = 1;
        private Path dataDir;
        private int brokerPort;
        private int controllerPort;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /** How many nodes, each both broker and controller: 1 to 3. Default 1. */
        public Builder nodes(int count) {
            if (count < 1 || count > 3) {
                throw new IllegalArgumentException("nodes must be 1, 2 or 3, was " + count);
            }
            this.nodes = count;
            return this;
        }

        /** Where the data lives; kept on close. Default: a fresh temporary directory deleted on close. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Client (PLAINTEXT) port of node 0; node i listens on port + i. Default 0: free ports. */
        public Builder brokerPort(int port) {
            this.brokerPort = requirePort("brokerPort", port);
            return this;
        }

        /** Controller port of node 0; node i listens on port + i. Default 0: free ports. */
        public Builder controllerPort(int port) {
            this.controllerPort = requirePort("controllerPort", port);
            return this;
        }

        /** An extra broker setting for every node, e.g. {@code auto.create.topics.enable}. */
        public Builder brokerProperty(String key, String value) {
            Objects.requireNonNull(key, "broker property key");
            Objects.requireNonNull(value, () -> "value of broker property " + key);
            brokerProperties.put(key, value);
            return this;
        }

        /** Formats storage where needed, starts every node and waits until all brokers are registered. */
        public EmbeddedKafkaCluster start() {
            Set<Integer> taken = new HashSet<>();
            List<Integer> brokerPorts = ports(brokerPort, taken);
            List<Integer> controllerPorts = ports(controllerPort, taken);
            boolean temporary = dataDir == null;
            Path dir;
            try {
                dir = temporary ? Files.createTempDirectory("embedded-kafka-") : dataDir.toAbsolutePath();
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create the Kafka data directory " + dataDir, e);
            }
            requireSameNodeCount(dir, nodes);
            String clusterId = clusterId(dir);
            String voters = IntStream.range(0, nodes)
                    .mapToObj(id -> id + "@127.0.0.1:" + controllerPorts.get(id))
                    .collect(Collectors.joining(","));
            List<KafkaNode> kafkaNodes = IntStream.range(0, nodes)
                    .mapToObj(id -> new KafkaNode(id, clusterId, dir.resolve(NODE_DIR_PREFIX + id), brokerPorts.get(id),
                            controllerPorts.get(id), voters, nodes, STARTUP_TIMEOUT, brokerProperties))
                    .toList();
            EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(kafkaNodes, dir, temporary);
            long started = System.nanoTime();
            cluster.start();
            LOG.info("Kafka cluster of {} node(s) ready at {} in {} ms (data in {})", nodes,
                    cluster.bootstrapServers(), millisSince(started), dir);
            return cluster;
        }

        /** Pinned for the cluster's life, so a node started again listens where clients and peers expect it. */
        private List<Integer> ports(int first, Set<Integer> taken) {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                int port = first == 0 ? FreePorts.nextExcept(taken) : first + i;
                if (port > 65_535) {
                    throw new IllegalArgumentException("Port " + first + " + " + i + " for node " + i
                            + " is past 65535: pick a lower first port");
                }
                if (!taken.add(port)) {
                    throw new IllegalArgumentException("Port " + port + " would serve both a broker and a controller"
                            + " (brokerPort " + brokerPort + ", controllerPort " + controllerPort + ", " + nodes
                            + " node(s), node i uses port + i): set them at least " + nodes + " apart");
                }
                ports.add(port);
            }
            return ports;
        }

        private int requirePort(String name, int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException(name + " must be 0 (any free port) or 1..65535, was " + port);
            }
            return port;
        }
    }
}
