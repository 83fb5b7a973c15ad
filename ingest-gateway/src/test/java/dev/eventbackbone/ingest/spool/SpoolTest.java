package dev.eventbackbone.ingest.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    private static SpoolEntry entry(String value) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        headers.put("event-id", value.getBytes(StandardCharsets.UTF_8));
        headers.put("tenant", "acme".getBytes(StandardCharsets.UTF_8));
        return new SpoolEntry("orders.commands", ("acme:" + value).getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8), headers, 42L);
    }

    private static List<String> values(List<SpooledRecord> records) {
        return records.stream().map(record -> new String(record.entry().value(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void readsInAcceptanceOrderAndRoundTripsKeysHeadersAndTime() {
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            spool.append(entry("a"));
            spool.appendAll(List.of(entry("b"), entry("c")));
            spool.append(new SpoolEntry("t", null, new byte[] {1}, Map.of(), 7L));

            List<SpooledRecord> records = spool.readOldest(10, 1 << 20);
            assertThat(values(records).subList(0, 3)).containsExactly("a", "b", "c");
            SpoolEntry first = records.get(0).entry();
            assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("acme:a");
            assertThat(first.headers().keySet()).containsExactly("event-id", "tenant");
            assertThat(first.acceptedAtMillis()).isEqualTo(42L);
            assertThat(records.get(3).entry().key()).isNull();
            assertThat(spool.depth()).isEqualTo(4);
        }
    }

    @Test
    void keepsEntriesDepthBytesAndSequencesAcrossReopen() {
        long bytes;
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            spool.appendAll(List.of(entry("a"), entry("b"), entry("c")));
            spool.removeThrough(spool.readOldest(1, 1 << 20).get(0).sequence());
            bytes = spool.bytes();
        }
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            assertThat(spool.depth()).isEqualTo(2);
            assertThat(spool.bytes()).isEqualTo(bytes);
            long next = spool.append(entry("d"));
            List<SpooledRecord> records = spool.readOldest(10, 1 << 20);
            assertThat(values(records)).containsExactly("b", "c", "d");
            assertThat(next).isGreaterThan(records.get(1).sequence());
            spool.removeThrough(next);
            assertThat(spool.isEmpty()).isTrue();
            assertThat(spool.bytes()).isZero();
        }
    }

    @Test
    void fullSpoolRefusesAWholeBatchAndWritesNothingOfIt() {
        try (Spool spool = Spool.open(dir, 700)) {
            spool.append(entry("a".repeat(100)));
            assertThatThrownBy(() -> spool.appendAll(List.of(entry("b".repeat(100)), entry("c".repeat(100)))))
                    .isInstanceOf(SpoolFullException.class).hasMessageContaining("cannot take");
            assertThat(spool.depth()).isEqualTo(1);
            assertThat(values(spool.readOldest(10, 1 << 20))).containsExactly("a".repeat(100));
        }
    }

    @Test
    void readOldestHonoursRecordAndByteLimitsButReturnsAtLeastOne() {
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            for (int i = 0; i < 10; i++) {
                spool.append(entry("v" + i));
            }
            assertThat(spool.readOldest(3, 1 << 20)).hasSize(3);
            assertThat(spool.readOldest(10, 1)).hasSize(1);
        }
    }

    @Test
    void concurrentAppendsAllComeBackOnceInEachWritersOrder() throws Exception {
        int writers = 8;
        int perWriter = 500;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try (Spool spool = Spool.open(dir, 64 << 20)) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        spool.append(entry(writer + "-" + i));
                    }
                }, pool));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get();
            List<String> all = values(spool.readOldest(writers * perWriter + 1, Long.MAX_VALUE));
            assertThat(all).hasSize(writers * perWriter).doesNotHaveDuplicates();
            for (int w = 0; w < writers; w++) {
                String prefix = w + "-";
                List<String> own = all.stream().filter(value -> value.startsWith(prefix)).toList();
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < perWriter; i++) {
                    expected.add(prefix + i);
                }
                assertThat(own).containsExactlyElementsOf(expected);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aReservationHoldsItsPlaceAndHoldsBackReadersUntilFilledOrReleased() {
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            Spool.Reservation early = spool.reserve(3);
            Spool.Reservation unused = spool.reserve(2);
            spool.append(entry("later"));
            assertThat(spool.readOldest(10, 1 << 20)).as("the reservation may still be filled").isEmpty();

            spool.appendAll(early, List.of(entry("early-1"), entry("early-2")));
            assertThat(spool.readOldest(10, 1 << 20)).extracting(record -> values(List.of(record)).get(0))
                    .as("the unused reservation still holds back what follows it").containsExactly("early-1", "early-2");

            spool.release(unused);
            spool.release(unused);
            assertThat(values(spool.readOldest(10, 1 << 20))).containsExactly("early-1", "early-2", "later");
            assertThatThrownBy(() -> spool.appendAll(unused, List.of(entry("too late"))))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aFailedAppendIntoAReservationStillReleasesIt() {
        try (Spool spool = Spool.open(dir, 600)) {
            Spool.Reservation reservation = spool.reserve(1);
            spool.append(entry("small"));
            assertThatThrownBy(() -> spool.appendAll(reservation, List.of(entry("x".repeat(1_000)))))
                    .isInstanceOf(SpoolFullException.class);
            assertThat(values(spool.readOldest(10, 1 << 20))).containsExactly("small");
        }
    }
}
