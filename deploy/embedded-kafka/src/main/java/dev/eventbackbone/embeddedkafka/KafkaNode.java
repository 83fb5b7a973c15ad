package dev.eventbackbone.embeddedkafka;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/** One KRaft node in combined mode (broker and controller), with storage formatted on first start. */
final class KafkaNode {

    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final int id;
    private final String clusterId;
    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private final String voters;
    private final int clusterSize;
    private final Map<String, String> extraProperties;
    private final Duration startupTimeout;
    private volatile KafkaRaftServer server;

    KafkaNode(int id, String clusterId, Path logDir, int brokerPort, int controllerPort, String voters,
              int clusterSize, Duration startupTimeout, Map<String, String> extraProperties) {
        this.id = id;
        this.clusterId = clusterId;
        this.logDir = logDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.voters = voters;
        this.clusterSize = clusterSize;
        this.startupTimeout = startupTimeout;
        this.extraProperties = Map.copyOf(extraProperties);
    }

    int id() {
        return id;
    }

    String bootstrapAddress() {
        return "127.0.0.1:" + brokerPort;
    }

    boolean isRunning() {
        return server != null;
    }

    /** Formats storage if needed and starts the node; returns once its broker has caught up with the quorum. */
    synchronized void start() {
        if (server != null) {
            return;
        }
        KafkaConfig config = KafkaConfig.fromProps(properties(), false);
        format();
        KafkaRaftServer raftServer = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            raftServer.startup();
        } catch (RuntimeException e) {
            // A failed broker start leaves this node's controller and Raft threads running.
            shutDown(raftServer);
            throw new IllegalStateException("Kafka node " + id + " (client port " + brokerPort + ", controller port "
                    + controllerPort + ", data " + logDir + ") failed to start: " + e.getMessage(), e);
        }
        server = raftServer;
    }

    /** Waits for a start in progress, so a node is never left running behind a stopped cluster. */
    synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer raftServer = server;
        server = null;
        shutDown(raftServer);
    }

    private static void shutDown(KafkaRaftServer raftServer) {
        raftServer.shutdown();
        raftServer.awaitShutdown();
    }

    private void format() {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(id)
                    .setClusterId(clusterId)
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage for node " + id + " in " + logDir, e);
        }
    }

    private Properties properties() {
        // Internal topics get a replica on every node; with three, min ISR 2 still allows losing one node.
        String replication = String.valueOf(clusterSize);
        String minIsr = String.valueOf(clusterSize >= 3 ? 2 : 1);
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(id));
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("controller.quorum.voters", voters);
        props.put("log.dirs", logDir.toString());
        props.put("offsets.topic.replication.factor", replication);
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", replication);
        props.put("transaction.state.log.min.isr", minIsr);
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", replication);
        props.put("share.coordinator.state.topic.min.isr", minIsr);
        props.put("default.replication.factor", replication);
        props.put("min.insync.replicas", minIsr);
        props.put("num.partitions", "1");
        // Topics come from the catalog's provisioner or from Kafka Streams' own admin calls, never by accident.
        props.put("auto.create.topics.enable", "false");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("controlled.shutdown.enable", "true");
        // Without a bound, a node whose quorum never forms blocks its start, and the cluster's close, forever.
        props.put("server.max.startup.time.ms", String.valueOf(startupTimeout.toMillis()));
        props.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        props.putAll(extraProperties);
        return props;
    }
}
