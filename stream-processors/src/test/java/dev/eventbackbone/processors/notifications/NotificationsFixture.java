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
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

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

    /**
     * @param notifications the {@code notifications:} block, indented by two spaces; {@code %TENANT%} is the tenant
     */
    NotificationsFixture(RegistryExtension registry, Path dir, String notifications) throws IOException {
        config = dir.resolve("stream-processors.yml");
        apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), tenant, List.of("read:notifications"), null).secret();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
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

    void send(KafkaProducer<String, Object> producer, NotificationRequest request) {
        producer.send(new ProducerRecord<>(TopicCatalog.NOTIFICATIONS_REQUESTS, tenant + ":" + request.getRecipientId(),
                request));
    }

    static boolean isFinal(DeliveryResult result) {
        return FINAL.contains(result.getStatus());
    }
}
