package dev.eventbackbone.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class RollupSerdeTest {

    private final RollupSerde serde = new RollupSerde();

    @Test
    void anEmptyRollupAndAFullOneComeBackAsTheyWent() {
        Rollup empty = roundTrip(new Rollup());
        assertThat(empty.count()).isZero();
        assertThat(empty.users()).isNull();

        Rollup full = new Rollup();
        for (int i = 0; i < 5_000; i++) {
            full.add(new Measure("t", "page_view", "u-" + (i % 700), (double) i, 0,
                    Map.of("plan", i % 5 == 0 ? "pro" : "free")), true);
        }
        Rollup back = roundTrip(full);
        assertThat(back.count()).isEqualTo(5_000);
        assertThat(back.sum()).isEqualTo(full.sum());
        assertThat(back.users().getEstimate()).isEqualTo(full.users().getEstimate());
        assertThat(back.values().getQuantile(0.5, QuantileSearchCriteria.INCLUSIVE))
                .isEqualTo(full.values().getQuantile(0.5, QuantileSearchCriteria.INCLUSIVE));
        assertThat(back.names().getEstimate("page_view")).isEqualTo(5_000);
        assertThat(Rollup.merge(List.of(back)).topValues("plan")).extracting(Map.Entry::getValue)
                .containsExactly(4_000L, 1_000L);
    }

    @Test
    void aRollupReadAndWrittenBackUnusedKeepsItsBytesAndOneAddedToCountsOnFromThem() {
        Rollup window = new Rollup();
        for (int i = 0; i < 300; i++) {
            window.add(new Measure("t", "page_view", "u-" + i, (double) i, 0), true);
        }
        byte[] stored = serde.serializer().serialize("x", window);
        assertThat(serde.serializer().serialize("x", serde.deserializer().deserialize("x", stored))).isEqualTo(stored);

        Rollup next = serde.deserializer().deserialize("x", stored).add(new Measure("t", "signup", "u-new", 1_000.0, 0), true);
        Rollup back = roundTrip(next);
        assertThat(back.count()).isEqualTo(301);
        assertThat(back.users().getEstimate()).isEqualTo(301, offset(3.0));
        assertThat(back.values().getMaxItem()).isEqualTo(1_000.0);
        assertThat(back.names().getEstimate("page_view")).isEqualTo(300);
        assertThat(back.names().getEstimate("signup")).isEqualTo(1);
    }

    @Test
    void mergedWindowsCountDistinctUsersOnceAcrossWindows() {
        Rollup first = new Rollup();
        Rollup second = new Rollup();
        for (int i = 0; i < 1_000; i++) {
            first.add(new Measure("t", "n", "u-" + i, 1.0, 0), false);
            second.add(new Measure("t", "n", "u-" + (i + 500), 3.0, 0), false);
        }
        Rollup.Merged merged = Rollup.merge(List.of(roundTrip(first), roundTrip(second)));
        assertThat(merged.count).isEqualTo(2_000);
        assertThat(merged.sum).isEqualTo(4_000);
        assertThat(merged.distinctUsers()).as("1,500 users, HLL lgK 14").isBetween(1_500 * 0.98, 1_500 * 1.02);
        assertThat(merged.values.getQuantile(0.25, QuantileSearchCriteria.INCLUSIVE)).isEqualTo(1.0);
        assertThat(merged.values.getQuantile(0.75, QuantileSearchCriteria.INCLUSIVE)).isEqualTo(3.0);
    }

    @Test
    void aDeadLetteredMeasureReadsBack() {
        MeasureSerde measures = new MeasureSerde();
        Measure measure = new Measure("t", "checkout", null, 12.5, 1_796_000_000_000L, Map.of("plan", "pro"));
        assertThat(measures.deserializer().deserialize("x", measures.serializer().serialize("x", measure)))
                .isEqualTo(measure);
    }

    @Test
    void partsSurviveTheRepartitionTopicAndAddUpToOneRollupOfAllTheirEvents() {
        RollupPart.PartSerde parts = new RollupPart.PartSerde();
        Rollup first = new Rollup();
        Rollup second = new Rollup();
        for (int i = 0; i < 1_000; i++) {
            first.add(new Measure("t", "view", "u-" + i, 1.0, 0), true);
            second.add(new Measure("t", i % 2 == 0 ? "view" : "click", "u-" + (i + 500), 3.0, 0), true);
        }
        RollupPart sent = new RollupPart(true, 3_600_000L, second);
        RollupPart received = parts.deserializer().deserialize("x", parts.serializer().serialize("x", sent));
        assertThat(received.hour()).isTrue();
        assertThat(received.start()).isEqualTo(3_600_000L);

        Rollup whole = roundTrip(roundTrip(first).absorb(received.rollup()));
        assertThat(whole.count()).isEqualTo(2_000);
        assertThat(whole.sum()).isEqualTo(4_000);
        assertThat(whole.users().getEstimate()).as("1,500 users, HLL lgK 14").isBetween(1_500 * 0.98, 1_500 * 1.02);
        assertThat(whole.values().getQuantile(0.25, QuantileSearchCriteria.INCLUSIVE)).isEqualTo(1.0);
        assertThat(whole.values().getQuantile(0.75, QuantileSearchCriteria.INCLUSIVE)).isEqualTo(3.0);
        assertThat(whole.names().getEstimate("view")).isEqualTo(1_500);
        assertThat(whole.names().getEstimate("click")).isEqualTo(500);
        assertThat(new Rollup().absorb(roundTrip(first)).count()).as("a window's first part").isEqualTo(1_000);
    }

    @Test
    void aRollupWrittenBeforeTopPropertyValuesIsStillRead() {
        ByteBuffer formatOne = ByteBuffer.allocate(1 + 8 + 8 + 12).put((byte) 1).putLong(7).putDouble(2.5)
                .putInt(0).putInt(0).putInt(0);
        Rollup rollup = serde.deserializer().deserialize("x", formatOne.array());
        assertThat(rollup.count()).isEqualTo(7);
        assertThat(rollup.sum()).isEqualTo(2.5);
        assertThat(rollup.properties()).isNull();
    }

    @Test
    void bytesOfAnotherFormatAreRefused() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("x", new byte[] {9, 0, 0}))
                .isInstanceOf(SerializationException.class);
    }

    private Rollup roundTrip(Rollup rollup) {
        return serde.deserializer().deserialize("x", serde.serializer().serialize("x", rollup));
    }
}
