package dev.eventbackbone.audit;

import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.serde.AvroSerde;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** Creates audit topics and produces normalized records to them, as the normalization topology would. */
final class AuditTopics {

    private AuditTopics() {
    }

    static void create(String bootstrapServers, String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create topic " + topic, e);
        }
    }

    static KafkaProducer<String, AuditRecord> producer(String bootstrapServers, String registryUrl) {
        AvroSerde<AuditRecord> serde = AvroSerde.specific(AuditRecord.class);
        serde.configure(Map.of("schema.registry.url", registryUrl), false);
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), serde.serializer());
    }
}
