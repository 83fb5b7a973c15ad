package dev.eventbackbone.embeddedkafka;

import static dev.eventbackbone.embeddedkafka.KafkaRecords.createTopic;
import static dev.eventbackbone.embeddedkafka.KafkaRecords.durableProducer;
import static dev.eventbackbone.embeddedkafka.KafkaRecords.readAll;
import static dev.eventbackbone.embeddedkafka.KafkaRecords.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaClusterIT {

    @TempDir
    Path dataDir;

    @Test
    void restartOnTheSameDataDirectoryKeepsTopicsAndRecords() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().dataDir(dataDir).start()) {
            createTopic(kafka.bootstrapServers(), "kept", 1, Map.of());
            try (KafkaProducer<String, String> producer = durableProducer(kafka.bootstrapServers())) {
                send(producer, "kept", "before-restart");
            }
        }
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().dataDir(dataDir).start()) {
            assertThat(readAll(kafka.bootstrapServers(), "kept", 1)).containsExactly("before-restart");
        }
        assertThat(dataDir).isDirectory();
    }

    @Test
    void threeNodeClusterKeepsAcceptingAcksAllWritesWithOneNodeDown() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().nodes(3).start()) {
            String allNodes = kafka.bootstrapServers();
            assertThat(allNodes.split(",")).hasSize(3);
            createTopic(allNodes, "replicated", 3, Map.of("min.insync.replicas", "2"));
            List<String> acknowledged = new ArrayList<>();
            try (KafkaProducer<String, String> producer = durableProducer(allNodes)) {
                for (String value : values("before", 50)) {
                    send(producer, "replicated", value);
                    acknowledged.add(value);
                }
                kafka.stopNode(2);
                for (String value : values("one-node-down", 50)) {
                    send(producer, "replicated", value);
                    acknowledged.add(value);
                }
            }
            assertThat(kafka.bootstrapServers().split(",")).hasSize(2);
            assertThat(readAll(kafka.bootstrapServers(), "replicated", acknowledged.size()))
                    .containsExactlyElementsOf(acknowledged);

            kafka.startNode(2);
            assertThat(kafka.bootstrapServers()).isEqualTo(allNodes);
        }
    }

    @Test
    void closeStopsEveryThreadTheClusterStartedAndDeletesItsTemporaryDirectory() {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().start();
        Path temporaryDir = kafka.dataDir();

        kafka.close();
        kafka.close();

        assertThat(temporaryDir).doesNotExist();
        assertThat(kafka.bootstrapServers()).isEmpty();
        await("the cluster's threads to end").atMost(Duration.ofSeconds(10)).pollInSameThread()
                .untilAsserted(() -> assertThat(threadsStartedSince(before)).isEmpty());
    }

    /** Yammer's metrics tick thread belongs to a JVM-wide registry that outlives every broker. */
    private static List<String> threadsStartedSince(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread))
                .map(Thread::getName)
                .filter(name -> !name.startsWith("metrics-meter-tick-thread"))
                .toList();
    }

    private static List<String> values(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }
}
