package dev.eventbackbone.embeddedkafka;

import static dev.eventbackbone.embeddedkafka.KafkaRecords.createTopic;
import static dev.eventbackbone.embeddedkafka.KafkaRecords.durableProducer;
import static dev.eventbackbone.embeddedkafka.KafkaRecords.readAll;
import static dev.eventbackbone.embeddedkafka.KafkaRecords.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    }

    @Test
    void threeNodeClusterKeepsAcceptingAcksAllWritesWithOneNodeDown() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().nodes(3).start()) {
            assertThat(kafka.bootstrapServers().split(",")).hasSize(3);
            createTopic(kafka.bootstrapServers(), "replicated", 3, Map.of("min.insync.replicas", "2"));
            List<String> acknowledged = new ArrayList<>();
            try (KafkaProducer<String, String> producer = durableProducer(kafka.bootstrapServers())) {
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
            assertThat(kafka.bootstrapServers().split(",")).hasSize(3);
        }
    }

    private static List<String> values(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }
}
