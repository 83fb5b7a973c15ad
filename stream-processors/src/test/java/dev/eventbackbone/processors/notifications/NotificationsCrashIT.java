package dev.eventbackbone.processors.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.events.DeliveryResult;
import dev.eventbackbone.contracts.events.DeliveryStatus;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fan-out and the delivery workers in their own JVM are killed with SIGKILL in the middle of
 * 2,000 mails, each failing over from an SMTP server that is down to one that is up. Restarted, every message ends in exactly one final result, and every mail the SMTP
 * server got for one notification carries the same Message-ID: a receiver that deduplicates by it
 * sees each once.
 */
class NotificationsCrashIT {

    private static final Logger LOG = LoggerFactory.getLogger(NotificationsCrashIT.class);
    private static final int MAILS = 2_000;
    private static final int RECIPIENTS = 500;

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension().onItsOwnBroker();

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyMessageEndsInOneFinalResultAndOneMessageIdAfterKillMinusNine() throws Exception {
        TopicProvisioner.provisionCatalog(registry.bootstrapServers());
        try (RecordingSmtpServer smtp = new RecordingSmtpServer()) {
            NotificationsFixture fixture = new NotificationsFixture(registry, dir, """
                      channels:
                        EMAIL: {rate: 100, burst: 20}
                      email:
                        smtp: [{host: 127.0.0.1, port: %d}, {host: 127.0.0.1, port: %d}]
                    """.formatted(FreePorts.next(), smtp.port()));
            ServiceProcess processors = processes.start(fixture.processors(dir.resolve("processors.log")));
            try (KafkaProducer<String, Object> producer = registry.avro().producer()) {
                for (int i = 0; i < RECIPIENTS; i++) {
                    fixture.set(producer, fixture.prefs("r" + i).setEmail("r" + i + "@example.com").build());
                }
                producer.flush();
                for (int i = 0; i < MAILS; i++) {
                    fixture.send(producer, fixture.request("r" + (i % RECIPIENTS), NotificationChannel.EMAIL)
                            .setSubject("n" + i).build());
                }
            }
            Awaitility.await("mails under way").atMost(Duration.ofMinutes(3)).until(() -> smtp.arrivals().size() >= 300);
            processors.killHard();
            processes.restart(processors);

            List<DeliveryResult> results = registry.avro().read(TopicCatalog.NOTIFICATIONS_RESULTS)
                    .timeout(Duration.ofMinutes(5)).matching(record -> record.key().startsWith(fixture.tenant + ":"))
                    .awaitUntil("a final result for every message", records -> records.stream()
                            .map(record -> (DeliveryResult) record.value()).filter(NotificationsFixture::isFinal)
                            .map(DeliveryResult::getMessageId).distinct().count() >= MAILS)
                    .stream().map(record -> (DeliveryResult) record.value()).toList();
            Map<String, Long> finalsPerMessage = results.stream().filter(NotificationsFixture::isFinal)
                    .collect(Collectors.groupingBy(DeliveryResult::getMessageId, Collectors.counting()));
            assertThat(finalsPerMessage).hasSize(MAILS).allSatisfy((id, count) -> assertThat(count).isOne());
            assertThat(results).filteredOn(NotificationsFixture::isFinal).extracting(DeliveryResult::getStatus,
                    DeliveryResult::getProvider).as("every mail failed over from the server that is down")
                    .containsOnly(tuple(DeliveryStatus.DELIVERED, "smtp:127.0.0.1:" + smtp.port()));

            Awaitility.await("every mail at the server").atMost(Duration.ofMinutes(1))
                    .until(() -> smtp.arrivals().stream().map(RecordingSmtpServer.Arrival::subject).distinct().count()
                            >= MAILS);
            Map<String, Set<String>> idsPerNotification = smtp.arrivals().stream().collect(Collectors.groupingBy(
                    RecordingSmtpServer.Arrival::subject,
                    Collectors.mapping(RecordingSmtpServer.Arrival::messageId, Collectors.toSet())));
            assertThat(idsPerNotification).hasSize(MAILS).allSatisfy((subject, ids) -> assertThat(ids).hasSize(1));
            LOG.info("{} mails arrived for {} notifications: {} sent again after the kill, each with its first"
                    + " Message-ID", smtp.arrivals().size(), MAILS, smtp.arrivals().size() - MAILS);
        }
    }
}
