package dev.eventbackbone.processors.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventTimesTest {

    @Test
    void readsLongsBelowOneHundredBillionAsSeconds() {
        assertThat(EventTimes.occurredAtMillis(99_999_999_999L)).isEqualTo(99_999_999_999_000L);
        assertThat(EventTimes.occurredAtMillis(100_000_000_000L)).isEqualTo(100_000_000_000L);
        assertThat(EventTimes.occurredAtMillis(" 1714564800 ")).isEqualTo(1_714_564_800_000L);
    }

    @Test
    void readsIsoTextOnlyWithAnOffset() {
        assertThat(EventTimes.occurredAtMillis("2024-05-01T12:00:00.250Z")).isEqualTo(1_714_564_800_250L);
        assertThat(EventTimes.occurredAtMillis("2024-05-01T14:00:00+02:00")).isEqualTo(1_714_564_800_000L);
        assertThat(EventTimes.occurredAtMillis("2024-05-01T12:00:00")).isNull();
        assertThat(EventTimes.occurredAtMillis("+999999999-12-31T23:59:59Z")).isNull();
        assertThat(EventTimes.occurredAtMillis(null)).isNull();
    }
}
