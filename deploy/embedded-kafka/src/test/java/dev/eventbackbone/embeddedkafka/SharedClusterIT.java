package dev.eventbackbone.embeddedkafka;

import static dev.eventbackbone.embeddedkafka.KafkaRecords.createTopic;
import static dev.eventbackbone.embeddedkafka.KafkaRecords.durableProducer;
import static dev.eventbackbone.embeddedkafka.KafkaRecords.readAll;
import static dev.eventbackbone.embeddedkafka.KafkaRecords.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class SharedClusterIT {

    private static EmbeddedKafkaCluster fromBeforeAll;
    private final EmbeddedKafkaCluster kafka;

    SharedClusterIT(EmbeddedKafkaCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    static void rememberCluster(EmbeddedKafkaCluster kafka) {
        fromBeforeAll = kafka;
    }

    @Test
    void singleNodeAcknowledgesAcksAllWriteAndServesItBack() throws Exception {
        createTopic(kafka.bootstrapServers(), "shared-round-trip", 1, Map.of());
        try (KafkaProducer<String, String> producer = durableProducer(kafka.bootstrapServers())) {
            send(producer, "shared-round-trip", "hello");
        }
        assertThat(readAll(kafka.bootstrapServers(), "shared-round-trip", 1)).containsExactly("hello");
    }

    @Test
    void constructorBeforeAllAndTestMethodGetTheSameSingleNodeCluster(EmbeddedKafkaCluster injected) {
        assertThat(injected).isSameAs(kafka).isSameAs(fromBeforeAll);
        assertThat(injected.nodeCount()).isEqualTo(1);
        assertThat(injected.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
    }
}
