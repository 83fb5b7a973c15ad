package dev.eventbackbone.processors.notifications;

import static dev.eventbackbone.processors.notifications.NotificationDriver.START;
import static dev.eventbackbone.processors.notifications.NotificationDriver.TENANT;
import static dev.eventbackbone.processors.notifications.NotificationDriver.prefs;
import static dev.eventbackbone.processors.notifications.NotificationDriver.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.eventbackbone.contracts.events.DeliveryResult;
import dev.eventbackbone.contracts.events.DeliveryStatus;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationMessage;
import dev.eventbackbone.contracts.events.NotificationPriority;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.QuietHours;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.registry.RegistryExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Preferences, suppression, quiet hours, priorities, limits, dedupe, templates, expiry and dead letters of the fan-out. */
@ExtendWith(EmbeddedKafkaExtension.class)
class NotificationTopologyIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    static NotificationSerdes serdes;

    @TempDir
    Path dir;

    private final List<NotificationDriver> drivers = new ArrayList<>();

    @BeforeAll
    static void serdes() {
        serdes = NotificationSerdes.on(SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", registry.url())));
    }

    @AfterEach
    void closeDrivers() {
        drivers.forEach(NotificationDriver::close);
    }

    private NotificationDriver driver(Consumer<NotificationSettings> adjust, Templates templates) {
        NotificationSettings settings = new NotificationSettings();
        adjust.accept(settings);
        NotificationDriver driver = new NotificationDriver(settings, serdes, templates, dir.resolve("d" + drivers.size()));
        drivers.add(driver);
        return driver;
    }

    private NotificationDriver driver() {
        return driver(settings -> { }, Templates.none());
    }

    /** Email at 6/s for the deployment with a burst of 6: this partition's share is 1/s, 1 at once. */
    private static void onePerSecond(NotificationSettings settings) {
        settings.setChannels(Map.of(NotificationChannel.EMAIL, new NotificationSettings.ChannelLimit(6, 6)));
    }

    @Test
    void aRequestBecomesOneAddressedMessagePerChannelTheRecipientHas() {
        NotificationDriver driver = driver();
        driver.set(prefs("ann").build());
        NotificationRequest request = request("ann").setChannels(List.of()).setSubject("Invoice").build();
        driver.send(request);
        driver.pass(Duration.ofMillis(100));

        List<NotificationMessage> email = driver.released(NotificationChannel.EMAIL);
        assertThat(email).singleElement().satisfies(message -> {
            assertThat(message.getMessageId()).isEqualTo(request.getEventId() + ":email");
            assertThat(message.getDestination()).isEqualTo("ann@example.com");
            assertThat(message.getSubject()).isEqualTo("Invoice");
            assertThat(message.getBody()).isEqualTo("Your invoice is ready.");
            assertThat(message.getAttempt()).isEqualTo(1);
        });
        assertThat(driver.released(NotificationChannel.SMS)).extracting(NotificationMessage::getDestination)
                .containsExactly("+41791234567");
        assertThat(driver.released(NotificationChannel.WEBHOOK)).singleElement().satisfies(message ->
                assertThat(message.getBody()).contains("\"type\":\"notification\"", "\"recipientId\":\"ann\""));
        assertThat(driver.released(NotificationChannel.PUSH)).as("ann has no push token").isEmpty();
        assertThat(driver.ledger(request.getEventId()).channels).containsOnlyKeys("EMAIL", "SMS", "WEBHOOK");
    }

    @Test
    void optedOutChannelsAndCategoriesAreSuppressedNotSent() {
        NotificationDriver driver = driver();
        driver.set(prefs("ann").setOptedOutChannels(List.of(NotificationChannel.SMS))
                .setOptedOutCategories(List.of("marketing")).build());
        NotificationRequest invoice = request("ann").setChannels(List.of(NotificationChannel.EMAIL,
                NotificationChannel.SMS)).build();
        NotificationRequest offer = request("ann").setCategory("marketing").build();
        driver.send(invoice);
        driver.send(offer);
        driver.pass(Duration.ofSeconds(1));

        assertThat(driver.released(NotificationChannel.EMAIL)).extracting(NotificationMessage::getRequestEventId)
                .containsExactly(invoice.getEventId());
        assertThat(driver.released(NotificationChannel.SMS)).isEmpty();
        List<DeliveryResult> results = driver.resultsOut.readValuesToList();
        assertThat(results).extracting(DeliveryResult::getMessageId, DeliveryResult::getStatus).containsExactlyInAnyOrder(
                tuple(invoice.getEventId() + ":sms", DeliveryStatus.SUPPRESSED),
                tuple(offer.getEventId() + ":email", DeliveryStatus.SUPPRESSED));
        assertThat(results).allSatisfy(result -> assertThat(result.getError()).contains("opted out"));
    }

    @Test
    void quietHoursHoldAllButCriticalUntilTheyEnd() {
        NotificationDriver driver = driver();
        // 12:00 UTC is 13:00 in Zurich: inside 12:30-14:00.
        driver.set(prefs("ann").setQuietHours(new QuietHours("12:30", "14:00", "Europe/Zurich")).build());
        NotificationRequest normal = request("ann").build();
        NotificationRequest critical = request("ann").setPriority(NotificationPriority.CRITICAL).build();
        driver.send(normal);
        driver.send(critical);
        driver.pass(Duration.ofSeconds(1));
        assertThat(driver.released(NotificationChannel.EMAIL)).extracting(NotificationMessage::getRequestEventId)
                .containsExactly(critical.getEventId());

        driver.jump(Duration.ofMinutes(59));
        driver.pass(Duration.ofSeconds(1));
        assertThat(driver.released(NotificationChannel.EMAIL)).as("14:00 in Zurich is 13:00 UTC").isEmpty();
        driver.jump(Duration.ofMinutes(1));
        driver.pass(Duration.ofMillis(100));
        assertThat(driver.released(NotificationChannel.EMAIL)).extracting(NotificationMessage::getRequestEventId)
                .containsExactly(normal.getEventId());
    }

    @Test
    void theLimiterReleasesWithinItsShareHighestPriorityFirstAndOldestFirstWithinOne() {
        NotificationDriver driver = driver(NotificationTopologyIT::onePerSecond, Templates.none());
        List<String> low = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            NotificationRequest request = request("r" + i).setPriority(NotificationPriority.LOW).build();
            driver.set(prefs("r" + i).build());
            driver.send(request);
            low.add(request.getEventId());
        }
        NotificationRequest normal = request("n").build();
        NotificationRequest critical = request("c").setPriority(NotificationPriority.CRITICAL).build();
        driver.set(prefs("n").build());
        driver.set(prefs("c").build());
        driver.send(normal);
        driver.send(critical);

        List<String> order = new ArrayList<>();
        driver.released(NotificationChannel.EMAIL).forEach(message -> order.add(message.getRequestEventId()));
        assertThat(order).as("the first request found nothing waiting and a token: it went at once")
                .containsExactly(low.get(0));
        for (int second = 0; second < 5; second++) {
            driver.pass(Duration.ofSeconds(1));
            List<NotificationMessage> released = driver.released(NotificationChannel.EMAIL);
            assertThat(released).as("at most the burst of 1 plus 1/s in second %d", second).hasSizeLessThanOrEqualTo(1);
            released.forEach(message -> order.add(message.getRequestEventId()));
        }
        List<String> expected = new ArrayList<>(List.of(low.get(0), critical.getEventId(), normal.getEventId()));
        expected.addAll(low.subList(1, low.size()));
        assertThat(order).isEqualTo(expected);
    }

    @Test
    void aRecipientOverItsLimitWaitsWithoutHoldingUpOthersAndCriticalSkipsTheLimit() {
        NotificationDriver driver = driver();
        driver.set(prefs("noisy").build());
        driver.set(prefs("quiet").build());
        for (int i = 0; i < 5; i++) {
            driver.send(request("noisy").setPriority(NotificationPriority.LOW).build());
        }
        NotificationRequest other = request("quiet").setPriority(NotificationPriority.LOW).build();
        NotificationRequest alarm = request("noisy").setPriority(NotificationPriority.CRITICAL).build();
        driver.send(other);
        driver.send(alarm);
        driver.pass(Duration.ofSeconds(2));

        List<NotificationMessage> released = driver.released(NotificationChannel.EMAIL);
        assertThat(released).filteredOn(m -> m.getRecipientId().equals("noisy")
                && m.getPriority() == NotificationPriority.LOW).as("3 LOW per hour").hasSize(3);
        assertThat(released).extracting(NotificationMessage::getRequestEventId)
                .contains(other.getEventId(), alarm.getEventId());

        driver.jump(Duration.ofMinutes(59));
        driver.pass(Duration.ofSeconds(1));
        assertThat(driver.released(NotificationChannel.EMAIL)).as("the hour is not over").isEmpty();
        driver.jump(Duration.ofMinutes(1));
        driver.pass(Duration.ofSeconds(1));
        assertThat(driver.released(NotificationChannel.EMAIL)).hasSize(2);
        assertThat(driver.resultsOut.readValuesToList()).as("deferred, never dropped").isEmpty();
    }

    @Test
    void aRetryWaitsOutQuietHoursAndDoesNotCountAgainstTheRecipientsLimit() {
        NotificationDriver driver = driver();
        driver.set(prefs("ann").build());
        driver.set(prefs("night").setQuietHours(new QuietHours("12:30", "14:00", "Europe/Zurich")).build());
        for (int i = 0; i < 3; i++) {
            driver.send(request("ann").setPriority(NotificationPriority.LOW).build());
        }
        driver.pass(Duration.ofSeconds(1));
        NotificationMessage sent = driver.released(NotificationChannel.EMAIL).get(0);
        assertThat(sent.getRecipientId()).isEqualTo("ann");

        driver.retry(NotificationMessage.newBuilder(sent).setAttempt(2).setDueAt(START).build());
        driver.retry(NotificationMessage.newBuilder(sent).setMessageId("r:email").setRecipientId("night")
                .setDestination("night@example.com").setAttempt(2).setDueAt(START).build());
        driver.pass(Duration.ofSeconds(1));
        assertThat(driver.released(NotificationChannel.EMAIL)).as("ann's 3 LOW this hour do not hold her retry")
                .extracting(NotificationMessage::getRecipientId, NotificationMessage::getAttempt)
                .containsExactly(tuple("ann", 2));

        driver.jump(Duration.ofMinutes(60));
        driver.pass(Duration.ofMillis(100));
        assertThat(driver.released(NotificationChannel.EMAIL)).as("the night's retry after its quiet hours")
                .extracting(NotificationMessage::getRecipientId).containsExactly("night");
    }

    @Test
    void aRequestForARecipientWithoutPreferencesWaitsForThemAndFailsWithoutAnAddressWhenNoneCome() {
        NotificationDriver driver = driver();
        NotificationRequest early = request("ann").setChannels(List.of(NotificationChannel.EMAIL)).build();
        NotificationRequest unknown = request("nobody").setChannels(List.of(NotificationChannel.EMAIL)).build();
        driver.send(early);
        driver.send(unknown);
        driver.pass(Duration.ofSeconds(5));
        assertThat(driver.released(NotificationChannel.EMAIL)).as("both wait for preferences").isEmpty();
        assertThat(driver.resultsOut.readValuesToList()).isEmpty();

        driver.set(prefs("ann").build());
        driver.pass(Duration.ofMillis(100));
        assertThat(driver.released(NotificationChannel.EMAIL)).extracting(NotificationMessage::getRequestEventId,
                NotificationMessage::getDestination).containsExactly(tuple(early.getEventId(), "ann@example.com"));

        driver.pass(Duration.ofSeconds(26));
        assertThat(driver.resultsOut.readValuesToList()).extracting(DeliveryResult::getMessageId,
                DeliveryResult::getStatus, DeliveryResult::getErrorCode)
                .containsExactly(tuple(unknown.getEventId() + ":email", DeliveryStatus.FAILED, "no_address"));
        assertThat(driver.released(NotificationChannel.EMAIL)).isEmpty();
    }

    @Test
    void aRepeatedEventIdIsFannedOutOnce() {
        NotificationDriver driver = driver();
        driver.set(prefs("ann").build());
        NotificationRequest request = request("ann").build();
        driver.send(request);
        driver.send(request);
        driver.pass(Duration.ofSeconds(1));
        assertThat(driver.released(NotificationChannel.EMAIL)).hasSize(1);
    }

    @Test
    void templatesArePerTenantWithLocaleFallbackAndTheSharedSetBehind() throws IOException {
        Path templates = dir.resolve("templates");
        Files.createDirectories(templates.resolve(TENANT));
        Files.createDirectories(templates.resolve(Templates.SHARED));
        Files.writeString(templates.resolve(TENANT).resolve("invoice.de.mustache"),
                "Subject: Rechnung {{number}}\n\nHallo {{recipientId}}, Ihre Rechnung {{number}} ist bereit. <b>");
        Files.writeString(templates.resolve(TENANT).resolve("invoice.mustache"),
                "Subject: Invoice {{number}}\n\nHello {{recipientId}}, invoice {{number}} is ready.");
        Files.writeString(templates.resolve(Templates.SHARED).resolve("welcome.mustache"), "Welcome, {{name}}!");
        NotificationDriver driver = driver(settings -> { }, Templates.load(templates));
        driver.set(prefs("ann").setLocale("de-CH").build());
        driver.set(prefs("bob").build());
        driver.send(request("ann").setBody(null).setTemplateId("invoice").setData(Map.of("number", "42")).build());
        driver.send(request("bob").setBody(null).setTemplateId("invoice").setData(Map.of("number", "43")).build());
        driver.send(request("bob").setBody(null).setTemplateId("welcome").setData(Map.of("name", "Bob")).build());
        driver.pass(Duration.ofSeconds(1));

        assertThat(driver.released(NotificationChannel.EMAIL)).extracting(NotificationMessage::getSubject,
                NotificationMessage::getBody).containsExactly(
                tuple("Rechnung 42", "Hallo ann, Ihre Rechnung 42 ist bereit. <b>"),
                tuple("Invoice 43", "Hello bob, invoice 43 is ready."),
                tuple(null, "Welcome, Bob!"));
    }

    @Test
    void aMessageNotSentBeforeItExpiresIsDeadLetteredAndNotBeforeIsHonoured() {
        NotificationDriver driver = driver(NotificationTopologyIT::onePerSecond, Templates.none());
        driver.set(prefs("ann").build());
        NotificationRequest first = request("ann").build();
        NotificationRequest late = request("ann").setExpiresAt(START.plusMillis(500)).build();
        NotificationRequest later = request("ann").setNotBefore(START.plusSeconds(5)).build();
        driver.send(first);
        driver.send(late);
        driver.send(later);
        driver.pass(Duration.ofSeconds(3));

        assertThat(driver.released(NotificationChannel.EMAIL)).extracting(NotificationMessage::getRequestEventId)
                .containsExactly(first.getEventId());
        assertThat(driver.resultsOut.readValuesToList()).singleElement().satisfies(result -> {
            assertThat(result.getMessageId()).isEqualTo(late.getEventId() + ":email");
            assertThat(result.getStatus()).isEqualTo(DeliveryStatus.DEAD_LETTERED);
        });
        assertThat(driver.dlq.readValuesToList()).singleElement().satisfies(rejection ->
                assertThat(rejection.getReasonCode()).isEqualTo(RejectionReason.EXPIRED));
        driver.pass(Duration.ofSeconds(3));
        assertThat(driver.released(NotificationChannel.EMAIL)).extracting(NotificationMessage::getRequestEventId)
                .containsExactly(later.getEventId());
    }

    @Test
    void aPoisonRequestIsDeadLetteredWithItsReasonWhileTheRestFlows() {
        NotificationDriver driver = driver();
        driver.set(prefs("ann").build());
        driver.requests.pipeInput(NotificationDriver.bytes("acme:ann"), NotificationDriver.bytes("{\"not\":\"avro\"}"));
        driver.send(request("ann").setBody(null).build());
        driver.send(request("ann").setTemplateId("missing").build());
        driver.set(prefs("bob").setQuietHours(new QuietHours("25:00", "07:00", "Europe/Zurich")).build());
        NotificationRequest good = request("ann").build();
        driver.send(good);
        driver.pass(Duration.ofSeconds(1));

        assertThat(driver.dlq.readValuesToList()).extracting(RejectedEvent::getReasonCode, RejectedEvent::getFieldPath)
                .containsExactly(tuple(RejectionReason.UNDECODABLE, null),
                        tuple(RejectionReason.INVALID_VALUE, "body"),
                        tuple(RejectionReason.INVALID_VALUE, "templateId"),
                        tuple(RejectionReason.INVALID_VALUE, "quietHours"));
        assertThat(driver.released(NotificationChannel.EMAIL)).extracting(NotificationMessage::getRequestEventId)
                .containsExactly(good.getEventId());
    }

    @Test
    void resultsFillTheLedgerAndA410DisablesTheEndpoint() {
        NotificationDriver driver = driver();
        driver.set(prefs("ann").build());
        NotificationRequest first = request("ann").setChannels(List.of(NotificationChannel.WEBHOOK)).build();
        driver.send(first);
        driver.pass(Duration.ofMillis(100));
        NotificationMessage sent = driver.released(NotificationChannel.WEBHOOK).get(0);
        driver.report(DeliveryResult.newBuilder().setMessageId(sent.getMessageId())
                .setRequestEventId(sent.getRequestEventId()).setTenantId(TENANT).setRecipientId("ann")
                .setChannel(NotificationChannel.WEBHOOK).setStatus(DeliveryStatus.FAILED).setAttempt(1)
                .setProvider("webhook").setErrorCode(WebhookProvider.GONE).setError("gone")
                .setCompletedAt(START).build());
        assertThat(driver.ledger(first.getEventId()).channels.get("WEBHOOK").status).isEqualTo("FAILED");

        NotificationRequest second = request("ann").setChannels(List.of(NotificationChannel.WEBHOOK)).build();
        driver.send(second);
        driver.pass(Duration.ofMillis(100));
        assertThat(driver.released(NotificationChannel.WEBHOOK)).isEmpty();
        assertThat(driver.resultsOut.readValuesToList()).singleElement().satisfies(result -> {
            assertThat(result.getMessageId()).isEqualTo(second.getEventId() + ":webhook");
            assertThat(result.getErrorCode()).isEqualTo("endpoint_disabled");
        });

        driver.set(prefs("ann").setWebhookUrl("https://hooks.example.com/new").build());
        driver.send(request("ann").setChannels(List.of(NotificationChannel.WEBHOOK)).build());
        driver.pass(Duration.ofMillis(100));
        assertThat(driver.released(NotificationChannel.WEBHOOK)).as("a new URL is enabled").hasSize(1);
    }
}
