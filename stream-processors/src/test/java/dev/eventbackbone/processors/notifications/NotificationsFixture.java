package dev.eventbackbone.processors.notifications;

import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.DeliveryResult;
import dev.eventbackbone.contracts.events.DeliveryStatus;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationPriority;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.RecipientPreferences;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.processors.StreamProcessorsApplication;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

/** The stream processors in a JVM of their own, set up for notifications against a test's SMTP server and receiver. */
final class NotificationsFixture {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final Set<DeliveryStatus> FINAL = Set.of(DeliveryStatus.DELIVERED, DeliveryStatus.FAILED,
            DeliveryStatus.DEAD_LETTERED, DeliveryStatus.SUPPRESSED);

    final String tenant = "n-" + UUID.randomUUID().toString().substring(0, 8);
    final int port = FreePorts.next();
    final int adminPort = FreePorts.next();
    final Path config;
    final String apiKey;
    private final String bootstrapServers;
    private final String fanOutApplicationId;

    /**
     * @param notifications the {@code notifications:} block, indented by two spaces; {@code %TENANT%} is the tenant
     */
    NotificationsFixture(RegistryExtension registry, Path dir, String notifications) throws IOException {
        config = dir.resolve("stream-processors.yml");
        apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), tenant, List.of("read:notifications"), null).secret();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        bootstrapServers = registry.bootstrapServers();
        fanOutApplicationId = "notification-fanout-" + suffix;
        Files.writeString(config, """
                kafka:
                  bootstrapServers: %s
                  streamsProperties:
                    commit.interval.ms: "100"
                registry:
                  url: %s
                applicationId: audit-normalizer-%s
                orders:
                  enabled: false
                  applicationId: order-processor-%s
                notifications:
                  applicationId: notification-fanout-%s
                %s
                stateDir: %s
                keysFile: %s
                %s""".formatted(registry.bootstrapServers(), registry.url(), suffix, suffix, suffix,
                notifications.replace("%TENANT%", tenant).stripTrailing(), dir.resolve("state"),
                dir.resolve("keys.yml"), ServiceYaml.onLoopback(port, adminPort)));
    }

    ServiceProcess.Spec processors(Path log) {
        return ServiceProcess.java(StreamProcessorsApplication.class, "server", config.toString()).log(log)
                .readyWhenHealthy("http://127.0.0.1:" + adminPort + "/ping");
    }

    String api() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    RecipientPreferences.Builder prefs(String recipient) {
        return RecipientPreferences.newBuilder().setEventId(UUID.randomUUID().toString()).setTenantId(tenant)
                .setSource("test").setReceivedAt(Instant.now()).setRecipientId(recipient);
    }

    NotificationRequest.Builder request(String recipient, NotificationChannel channel) {
        return NotificationRequest.newBuilder().setEventId(UUID.randomUUID().toString()).setTenantId(tenant)
                .setSource("test").setReceivedAt(Instant.now()).setRecipientId(recipient)
                .setSubject("Hello " + recipient).setBody("A notification for " + recipient + ".")
                .setChannels(List.of(channel)).setPriority(NotificationPriority.NORMAL);
    }

    void set(KafkaProducer<String, Object> producer, RecipientPreferences prefs) {
        producer.send(new ProducerRecord<>(TopicCatalog.NOTIFICATIONS_PREFERENCES, tenant + ":" + prefs.getRecipientId(),
                prefs));
    }

    /**
     * Waits until the fan-out has committed every preferences record written so far. A request
     * written after its recipient's first preferences may still be fanned out before them: Kafka
     * Streams orders co-partitioned inputs by the records it has fetched, and the preferences may
     * not be fetched yet (docs/notifications.md). A test that means "preferences set first" waits.
     */
    void awaitPreferencesApplied() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(TopicCatalog.NOTIFICATIONS_PREFERENCES))
                    .allTopicNames().get(30, TimeUnit.SECONDS).get(TopicCatalog.NOTIFICATIONS_PREFERENCES).partitions()
                    .stream().map(info -> new TopicPartition(TopicCatalog.NOTIFICATIONS_PREFERENCES, info.partition()))
                    .toList();
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(partitions.stream().collect(Collectors.toMap(partition -> partition,
                    partition -> OffsetSpec.latest()))).all().get(30, TimeUnit.SECONDS)
                    .forEach((partition, info) -> ends.put(partition, info.offset()));
            Awaitility.await("the fan-out committed the preferences").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(100)).until(() -> {
                        Map<TopicPartition, OffsetAndMetadata> committed = admin
                                .listConsumerGroupOffsets(fanOutApplicationId).partitionsToOffsetAndMetadata()
                                .get(30, TimeUnit.SECONDS);
                        return ends.entrySet().stream().allMatch(end -> end.getValue() == 0
                                || committed.get(end.getKey()) != null
                                && committed.get(end.getKey()).offset() >= end.getValue());
                    });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot read the preferences' offsets", e);
        }
    }

    void send(KafkaProducer<String, Object> producer, NotificationRequest request) {
        producer.send(new ProducerRecord<>(TopicCatalog.NOTIFICATIONS_REQUESTS, tenant + ":" + request.getRecipientId(),
                request));
    }

    static boolean isFinal(DeliveryResult result) {
        return FINAL.contains(result.getStatus());
    }
}
