package dev.eventbackbone.embeddedkafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One node of a multi-node cluster in a JVM of its own, so that a drill can kill a broker with
 * {@code kill -9} and start it again on its data, as a machine failure would. Every node of the
 * cluster is started with the same cluster id, data directory and port lists:
 *
 * <pre>{@code
 * java -cp ... dev.eventbackbone.embeddedkafka.KafkaNodeProcess <node-id> <data-dir> <cluster-id>
 *     <broker-port,...> <controller-port,...>
 * }</pre>
 *
 * <p>Prints {@value #STARTED} and the node id once its broker has caught up with the controller
 * quorum, which needs a majority of the nodes up: start them side by side. SIGTERM stops the node cleanly.
 */
public final class KafkaNodeProcess {

    public static final String STARTED = "Kafka node started: ";
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);

    private KafkaNodeProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 5) {
            System.err.println("Usage: KafkaNodeProcess <node-id> <data-dir> <cluster-id> <broker-port,...> <controller-port,...>");
            System.exit(2);
        }
        int id = Integer.parseInt(args[0]);
        Path dataDir = Path.of(args[1]).toAbsolutePath();
        List<Integer> brokerPorts = ports(args[3]);
        List<Integer> controllerPorts = ports(args[4]);
        if (brokerPorts.size() != controllerPorts.size() || id < 0 || id >= brokerPorts.size()) {
            throw new IllegalArgumentException("Node " + id + " of " + brokerPorts.size() + " broker and "
                    + controllerPorts.size() + " controller ports");
        }
        String voters = IntStream.range(0, controllerPorts.size())
                .mapToObj(node -> node + "@127.0.0.1:" + controllerPorts.get(node))
                .collect(Collectors.joining(","));
        KafkaNode node = new KafkaNode(id, args[2], dataDir.resolve("node-" + id), brokerPorts.get(id),
                controllerPorts.get(id), voters, brokerPorts.size(), STARTUP_TIMEOUT, Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "kafka-node-" + id + "-stop"));
        node.start();
        System.out.println(STARTED + id + " at " + node.bootstrapAddress());
        Thread.currentThread().join();
    }

    private static List<Integer> ports(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).map(Integer::valueOf).toList();
    }
}
