package dev.eventbackbone.processors.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationMessage;
import dev.eventbackbone.contracts.events.NotificationPriority;
import dev.eventbackbone.contracts.events.QuietHours;
import dev.eventbackbone.contracts.events.RecipientPreferences;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The rules a delivery follows that need no broker: backoff, Retry-After, quiet hours, queue order, keys. */
class DeliveryRulesTest {

    @RepeatedTest(20)
    void backoffIsFullJitterBelowTheScheduleButNeverBeforeRetryAfter() {
        assertThat(DeliveryWorker.backoff(5_000, null)).isBetween(0L, 5_000L);
        assertThat(DeliveryWorker.backoff(5_000, Duration.ofSeconds(30))).isEqualTo(30_000);
        assertThat(DeliveryWorker.backoff(60_000, Duration.ofSeconds(3))).isBetween(3_000L, 60_000L);
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        assertThat(ChannelProvider.Outcome.retryAfter("120")).contains(Duration.ofSeconds(120));
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(60));
        // The date has whole seconds, and this machine may pause between writing and reading it.
        assertThat(ChannelProvider.Outcome.retryAfter(inAMinute).orElseThrow()).isBetween(Duration.ofSeconds(30),
                Duration.ofSeconds(60));
        assertThat(ChannelProvider.Outcome.retryAfter("soon")).isEmpty();
        assertThat(ChannelProvider.Outcome.retryAfter("99999999999999999999")).isEmpty();
        assertThat(ChannelProvider.Outcome.retryAfter("9999999999999")).contains(ChannelProvider.LONGEST_RETRY_AFTER);
    }

    @Test
    void quietHoursThatSpanMidnightEndTheNextMorningInTheRecipientsZone() {
        RecipientPreferences prefs = RecipientPreferences.newBuilder().setEventId("e").setTenantId("t")
                .setSource("s").setReceivedAt(Instant.EPOCH).setRecipientId("r")
                .setQuietHours(new QuietHours("22:00", "07:00", "America/New_York")).build();
        long lateEvening = Instant.parse("2026-12-02T03:30:00Z").toEpochMilli();
        long earlyMorning = Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();
        long afternoon = Instant.parse("2026-12-02T19:00:00Z").toEpochMilli();
        assertThat(Instant.ofEpochMilli(Preferences.afterQuietHours(prefs, lateEvening)))
                .isEqualTo("2026-12-02T12:00:00Z");
        assertThat(Instant.ofEpochMilli(Preferences.afterQuietHours(prefs, earlyMorning)))
                .isEqualTo("2026-12-02T12:00:00Z");
        assertThat(Preferences.afterQuietHours(prefs, afternoon)).isEqualTo(afternoon);
    }

    @Test
    void theQueueOrdersByPriorityThenDueTimeThenArrival() {
        List<String> keys = new ArrayList<>(List.of(
                QueueKeys.of(message(NotificationPriority.LOW, 1_000), 1),
                QueueKeys.of(message(NotificationPriority.CRITICAL, 9_000), 7),
                QueueKeys.of(message(NotificationPriority.NORMAL, 1_000), 12),
                QueueKeys.of(message(NotificationPriority.NORMAL, 1_000), 3),
                QueueKeys.of(message(NotificationPriority.NORMAL, 500), 99)));
        List<String> sorted = keys.stream().sorted().toList();
        assertThat(sorted).containsExactly(keys.get(1), keys.get(4), keys.get(3), keys.get(2), keys.get(0));
        assertThat(QueueKeys.sequenceOf(keys.get(2))).isEqualTo(12);
        String due = QueueKeys.of(message(NotificationPriority.NORMAL, 1_000), 5);
        assertThat(due).isBetween(QueueKeys.from(NotificationChannel.EMAIL, NotificationPriority.NORMAL),
                QueueKeys.until(NotificationChannel.EMAIL, NotificationPriority.NORMAL, 1_000));
        assertThat(due).isGreaterThan(QueueKeys.until(NotificationChannel.EMAIL, NotificationPriority.NORMAL, 999));
    }

    @Test
    void theIdempotencyKeyDependsOnTenantRequestRecipientAndChannelOnly() {
        NotificationMessage first = message(NotificationPriority.LOW, 1);
        NotificationMessage retry = NotificationMessage.newBuilder(first).setAttempt(3).setDueAt(Instant.ofEpochMilli(9))
                .build();
        assertThat(IdempotencyKeys.of(retry)).isEqualTo(IdempotencyKeys.of(first)).matches("msg_[0-9a-f]{32}");
        assertThat(IdempotencyKeys.of(NotificationMessage.newBuilder(first).setChannel(NotificationChannel.SMS).build()))
                .isNotEqualTo(IdempotencyKeys.of(first));
    }

    private static NotificationMessage message(NotificationPriority priority, long dueAt) {
        return NotificationMessage.newBuilder().setMessageId("e-" + dueAt + ":email").setRequestEventId("e-" + dueAt)
                .setTenantId("t").setRecipientId("r").setChannel(NotificationChannel.EMAIL).setDestination("r@x.io")
                .setPriority(priority).setBody("b").setData(Map.of()).setAttempt(1)
                .setDueAt(Instant.ofEpochMilli(dueAt)).setCreatedAt(Instant.EPOCH).build();
    }
}
