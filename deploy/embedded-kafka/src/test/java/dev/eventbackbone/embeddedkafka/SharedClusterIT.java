package dev.eventbackbone.embeddedkafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
    void singleNodeAcknowledgesAcksAllWriteAndServesItBack() {
        KafkaTopics.create(kafka.bootstrapServers(), new NewTopic("shared-round-trip", 1, (short) 1));
        KafkaRecords.produce(kafka.bootstrapServers(), new StringSerializer(), new StringSerializer(),
                List.of(new ProducerRecord<>("shared-round-trip", "hello", "hello")));
        assertThat(KafkaRecords.read(kafka.bootstrapServers(), "shared-round-trip", new StringDeserializer(),
                new StringDeserializer()).awaitAtLeast(1)).extracting(ConsumerRecord::value).containsExactly("hello");
    }

    @Test
    void constructorBeforeAllAndTestMethodGetTheSameSingleNodeCluster(EmbeddedKafkaCluster injected) {
        assertThat(injected).isSameAs(kafka).isSameAs(fromBeforeAll);
        assertThat(injected.nodeCount()).isEqualTo(1);
        assertThat(injected.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
    }
}
