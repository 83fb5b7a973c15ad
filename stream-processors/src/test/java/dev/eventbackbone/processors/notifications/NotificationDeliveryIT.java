package dev.eventbackbone.processors.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationPriority;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.ServiceProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out and delivery workers in their own JVM against a real broker and a real SMTP server:
 * the provider's rate holds at the server, every mail arrives once, CRITICAL overtakes a long queue.
 */
class NotificationDeliveryIT {

    private static final Logger LOG = LoggerFactory.getLogger(NotificationDeliveryIT.class);

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension().onItsOwnBroker();

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    private static final int RECIPIENTS = 1_000;
    private static final int NOTIFICATIONS = 10_000;
    private static final int EMAIL_RATE = 50;
    private static final int EMAIL_BURST = 10;

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void tenThousandMailsKeepTheRateAtTheServerArriveOnceEachAndCriticalOvertakesTheQueue() throws Exception {
        TopicProvisioner.provisionCatalog(registry.bootstrapServers());
        try (RecordingSmtpServer smtp = new RecordingSmtpServer()) {
            NotificationsFixture fixture = new NotificationsFixture(registry, dir, """
                      channels:
                        EMAIL: {rate: %d, burst: %d}
                      email:
                        smtp: [{host: 127.0.0.1, port: %d}]
                    """.formatted(EMAIL_RATE, EMAIL_BURST, smtp.port()));
            processes.start(fixture.processors(dir.resolve("processors.log")));
            try (KafkaProducer<String, Object> producer = registry.avro().producer()) {
                for (int i = 0; i < RECIPIENTS; i++) {
                    fixture.set(producer, fixture.prefs("r" + i).setEmail("r" + i + "@example.com").build());
                }
                fixture.set(producer, fixture.prefs("vip").setEmail("vip@example.com").build());
                producer.flush();
                for (int i = 0; i < NOTIFICATIONS; i++) {
                    fixture.send(producer, fixture.request("r" + (i % RECIPIENTS), NotificationChannel.EMAIL)
                            .setSubject("n" + i).build());
                }
                producer.flush();
                Awaitility.await("the queue is being served").atMost(Duration.ofMinutes(3))
                        .until(() -> smtp.arrivals().size() >= 200);
                NotificationRequest critical = fixture.request("vip", NotificationChannel.EMAIL)
                        .setPriority(NotificationPriority.CRITICAL).setSubject("critical").build();
                long sentAt = System.currentTimeMillis();
                fixture.send(producer, critical);
                producer.flush();
                RecordingSmtpServer.Arrival arrival = Awaitility.await("the critical mail").atMost(Duration.ofMinutes(2))
                        .until(() -> smtp.arrivals().stream().filter(a -> "critical".equals(a.subject())).findFirst(),
                                found -> found.isPresent()).orElseThrow();
                long before = smtp.arrivals().stream().filter(a -> a.atMillis() < arrival.atMillis()).count();
                LOG.info("CRITICAL delivered {} ms after it was sent, with {} of {} mails still waiting",
                        arrival.atMillis() - sentAt, NOTIFICATIONS - before, NOTIFICATIONS);
                assertThat(NOTIFICATIONS - before).as("the critical mail overtook the waiting ones")
                        .isGreaterThanOrEqualTo(5_000);
            }
            Awaitility.await("every mail").atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> smtp.arrivals().size() >= NOTIFICATIONS + 1);

            List<RecordingSmtpServer.Arrival> arrivals = smtp.arrivals();
            assertThat(arrivals).hasSize(NOTIFICATIONS + 1);
            assertThat(arrivals.stream().map(RecordingSmtpServer.Arrival::messageId).distinct().count())
                    .as("no mail twice, by Message-ID").isEqualTo(NOTIFICATIONS + 1);
            assertThat(arrivals).allSatisfy(a -> assertThat(a.messageId()).matches("<msg_[0-9a-f]{32}@event-backbone>"));
            assertThat(smtp.busiestSecond()).as("the rate plus the burst in any one second at the server")
                    .isLessThanOrEqualTo(EMAIL_RATE + EMAIL_BURST);
        }
    }
}
