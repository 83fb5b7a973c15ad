package dev.eventbackbone.embeddedkafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaClusterIT {

    @TempDir
    Path dataDir;

    @Test
    void restartOnTheSameDataDirectoryKeepsTopicsAndRecords() {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().dataDir(dataDir).start()) {
            KafkaTopics.create(kafka.bootstrapServers(), new NewTopic("kept", 1, (short) 1));
            KafkaRecords.produce(kafka.bootstrapServers(), new StringSerializer(), new StringSerializer(),
                    List.of(new ProducerRecord<>("kept", "before-restart", "before-restart")));
        }
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().dataDir(dataDir).start()) {
            assertThat(valuesOf(kafka.bootstrapServers(), "kept", 1)).containsExactly("before-restart");
        }
        assertThat(dataDir).isDirectory();
    }

    @Test
    void threeNodeClusterKeepsAcceptingAcksAllWritesWithOneNodeDown() {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().nodes(3).start()) {
            String allNodes = kafka.bootstrapServers();
            assertThat(allNodes.split(",")).hasSize(3);
            KafkaTopics.create(allNodes,
                    new NewTopic("replicated", 1, (short) 3).configs(Map.of("min.insync.replicas", "2")));
            List<String> acknowledged = new ArrayList<>();
            try (KafkaProducer<String, String> producer = KafkaRecords.durableProducer(allNodes, new StringSerializer(),
                    new StringSerializer())) {
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
            assertThat(valuesOf(kafka.bootstrapServers(), "replicated", acknowledged.size()))
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
        await("the cluster's threads to end").atMost(Duration.ofSeconds(60)).pollInSameThread()
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

    private static void send(KafkaProducer<String, String> producer, String topic, String value) {
        KafkaRecords.produce(producer, List.of(new ProducerRecord<>(topic, value, value)));
    }

    /** The values of partition 0 from the beginning, once at least {@code expected} have arrived. */
    private static List<String> valuesOf(String bootstrap, String topic, int expected) {
        return KafkaRecords.read(bootstrap, topic, new StringDeserializer(), new StringDeserializer()).partition(0)
                .awaitAtLeast(expected).stream().map(ConsumerRecord::value).toList();
    }
}
