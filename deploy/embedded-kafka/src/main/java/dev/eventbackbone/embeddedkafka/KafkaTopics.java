package dev.eventbackbone.embeddedkafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Creates topics on any cluster, embedded or not, and waits until the controller has them. Tests
 * that share a broker each take a topic of their own with {@link #createUnique}.
 */
public final class KafkaTopics {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private KafkaTopics() {
    }

    /** Creates {@code <prefix>-<random uuid>} with the given partitions on one replica and returns its name. */
    public static String createUnique(String bootstrapServers, String prefix, int partitions) {
        String topic = prefix + "-" + UUID.randomUUID();
        create(bootstrapServers, new NewTopic(topic, partitions, (short) 1));
        return topic;
    }

    /** Creates exactly these topics (partitions, replication and configs as given). */
    public static void create(String bootstrapServers, NewTopic... topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(topics)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create topics " + names(topics) + " on " + bootstrapServers + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Topics " + names(topics) + " were not created on " + bootstrapServers
                    + " within " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics " + names(topics), e);
        }
    }

    private static List<String> names(NewTopic... topics) {
        return List.of(topics).stream().map(NewTopic::name).toList();
    }
}
