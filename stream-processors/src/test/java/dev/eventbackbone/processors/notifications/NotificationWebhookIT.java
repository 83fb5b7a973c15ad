package dev.eventbackbone.processors.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.standardwebhooks.Webhook;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.events.DeliveryResult;
import dev.eventbackbone.contracts.events.DeliveryStatus;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcesses;
import dev.eventbackbone.testing.WebhookReceiver;
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

/**
 * Fan-out and delivery workers in their own JVM against a real broker and a real HTTP receiver:
 * webhooks are signed, retried on the schedule through an outage, and stop at 410; SMS goes
 * through the generic JSON provider. On a broker of its own, so no other test's requests are
 * fanned out again here.
 */
class NotificationWebhookIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension().onItsOwnBroker();

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

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
