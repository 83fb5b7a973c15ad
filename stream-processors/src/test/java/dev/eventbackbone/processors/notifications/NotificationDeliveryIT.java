package dev.eventbackbone.processors.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.standardwebhooks.Webhook;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.events.DeliveryResult;
import dev.eventbackbone.contracts.events.DeliveryStatus;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationPriority;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Fan-out and delivery workers in their own JVM against a real broker, a real SMTP server and a
 * real webhook receiver: the provider's rate holds at the server, CRITICAL overtakes a long queue,
 * webhooks are signed, retried on the schedule through an outage, and stop at 410.
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

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void webhooksAreSignedRetriedThroughAnOutageOnTheScheduleAndStopAt410AndSmsGoesThroughItsProvider() throws Exception {
        TopicProvisioner.provisionCatalog(registry.bootstrapServers());
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            NotificationsFixture fixture = new NotificationsFixture(registry, dir, """
                      retrySchedule: [2s, 4s, 8s, 16s, 32s, 32s, 32s, 32s, 32s, 32s, 32s, 32s]
                      sms: [{name: sms-gateway, url: "%s", token: t0ken}]
                      webhook:
                        secrets:
                          "%%TENANT%%": [%s]
                    """.formatted(receiver.url("/sms"), NotificationsFixture.SECRET));
            // 30 s of 503 from the first webhook on, each asking to wait 3 s.
            AtomicLong outageEnds = new AtomicLong();
            receiver.answer(path -> {
                if (path.equals("/sms")) {
                    return new WebhookReceiver.Answer(200, 0);
                }
                if (path.startsWith("/gone")) {
                    return new WebhookReceiver.Answer(410, 0);
                }
                outageEnds.compareAndSet(0, System.currentTimeMillis() + Duration.ofSeconds(30).toMillis());
                return System.currentTimeMillis() < outageEnds.get() ? new WebhookReceiver.Answer(503, 3)
                        : new WebhookReceiver.Answer(204, 0);
            });
            processes.start(fixture.processors(dir.resolve("processors.log")));
            List<NotificationRequest> requests = new ArrayList<>();
            try (KafkaProducer<String, Object> producer = registry.avro().producer()) {
                for (int i = 0; i < 10; i++) {
                    fixture.set(producer, fixture.prefs("w" + i).setWebhookUrl(receiver.url("/hooks/w" + i)).build());
                }
                fixture.set(producer, fixture.prefs("old").setWebhookUrl(receiver.url("/gone/old")).build());
                fixture.set(producer, fixture.prefs("texter").setPhone("+41791234567").build());
                producer.flush();
                fixture.send(producer, fixture.request("texter", NotificationChannel.SMS).build());
                for (int i = 0; i < 10; i++) {
                    NotificationRequest request = fixture.request("w" + i, NotificationChannel.WEBHOOK)
                            .setData(Map.of("invoice", "inv-" + i)).build();
                    requests.add(request);
                    fixture.send(producer, request);
                }
                NotificationRequest gone = fixture.request("old", NotificationChannel.WEBHOOK).build();
                fixture.send(producer, gone);
                producer.flush();
                // The fan-out has taken the 410 in once the ledger shows it.
                Awaitility.await("the 410 in the ledger").atMost(Duration.ofMinutes(2)).ignoreExceptions()
                        .until(() -> Http.getJson(fixture.api() + "/notifications/" + gone.getEventId(), fixture.apiKey)
                                .path("channels").path("webhook").path("status").asText().equals("FAILED"));
                fixture.send(producer, fixture.request("old", NotificationChannel.WEBHOOK).build());
                producer.flush();
            }

            List<DeliveryResult> results = registry.avro().read(TopicCatalog.NOTIFICATIONS_RESULTS)
                    .timeout(Duration.ofMinutes(4)).matching(record -> record.key().startsWith(fixture.tenant + ":"))
                    .awaitUntil("a final result for every message", records -> records.stream()
                            .map(record -> (DeliveryResult) record.value()).filter(NotificationsFixture::isFinal)
                            .count() >= 13).stream().map(record -> (DeliveryResult) record.value()).toList();

            Map<String, List<WebhookReceiver.Delivery>> byId = receiver.deliveries().stream()
                    .filter(d -> d.path().startsWith("/hooks/"))
                    .collect(Collectors.groupingBy(d -> d.header("webhook-id")));
            assertThat(byId).as("one webhook-id per message, the same on every attempt").hasSize(10);
            for (List<WebhookReceiver.Delivery> attempts : byId.values()) {
                assertThat(attempts.get(attempts.size() - 1).status()).as("delivered after the outage").isEqualTo(204);
                assertThat(attempts.size()).as("retried through 30 s of 503").isBetween(2, 13);
                for (int i = 1; i < attempts.size(); i++) {
                    assertThat(attempts.get(i).atMillis() - attempts.get(i - 1).atMillis())
                            .as("never sooner than Retry-After: 3").isGreaterThanOrEqualTo(2_900);
                }
                for (WebhookReceiver.Delivery attempt : attempts) {
                    new Webhook(NotificationsFixture.SECRET).verify(attempt.body(), attempt.headers());
                }
            }
            assertThat(receiver.deliveries()).filteredOn(d -> d.path().startsWith("/gone"))
                    .as("nothing after the 410").hasSize(1);
            Map<String, List<DeliveryResult>> finals = results.stream().filter(NotificationsFixture::isFinal)
                    .collect(Collectors.groupingBy(DeliveryResult::getMessageId));
            assertThat(finals).hasSize(13).allSatisfy((id, each) -> assertThat(each).hasSize(1));
            assertThat(receiver.deliveries()).filteredOn(d -> d.path().equals("/sms")).singleElement().satisfies(sms -> {
                assertThat(sms.header("Idempotency-Key")).matches("msg_[0-9a-f]{32}");
                assertThat(sms.header("Authorization")).isEqualTo("Bearer t0ken");
                assertThat(sms.body()).contains("\"channel\":\"sms\"", "\"to\":\"+41791234567\"");
            });
            assertThat(finals.values().stream().flatMap(List::stream).filter(r -> r.getRecipientId().equals("texter")))
                    .extracting(DeliveryResult::getStatus, DeliveryResult::getProvider)
                    .containsExactly(tuple(DeliveryStatus.DELIVERED, "sms-gateway"));
            assertThat(finals.values().stream().flatMap(List::stream).filter(r -> r.getRecipientId().equals("old")))
                    .extracting(DeliveryResult::getStatus, DeliveryResult::getErrorCode)
                    .containsExactlyInAnyOrder(tuple(DeliveryStatus.FAILED, "410"),
                            tuple(DeliveryStatus.FAILED, "endpoint_disabled"));
            assertThat(results).filteredOn(r -> r.getStatus() == DeliveryStatus.RETRYING)
                    .allSatisfy(r -> assertThat(r.getErrorCode()).isEqualTo("503"));

            String ledgerUrl = fixture.api() + "/notifications/" + requests.get(0).getEventId();
            Awaitility.await("the ledger").atMost(Duration.ofMinutes(1)).ignoreExceptions().untilAsserted(() ->
                    assertThat(Http.getJson(ledgerUrl, fixture.apiKey).toString())
                            .contains("\"status\":\"DELIVERED\"", "\"final\":true", "\"errorCode\":\"503\""));
        }
    }
}
