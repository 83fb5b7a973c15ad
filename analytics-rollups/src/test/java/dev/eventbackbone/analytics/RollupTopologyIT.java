package dev.eventbackbone.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.tuple;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.AnalyticsEvent;
import dev.eventbackbone.contracts.events.AuditActorType;
import dev.eventbackbone.contracts.events.AuditFlags;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditResource;
import dev.eventbackbone.contracts.events.AuditSeverity;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.OrderStatus;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.registry.RegistryExtension;
import io.dropwizard.util.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Each rollup, late events inside and outside the grace, and the sources' mapping, through the real topology. */
@ExtendWith(EmbeddedKafkaExtension.class)
class RollupTopologyIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
    private static final String TENANT = "acme";

    static AnalyticsSerdes serdes;

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> events;
    private TestInputTopic<byte[], byte[]> orders;
    private TestInputTopic<byte[], byte[]> audit;
    private TestOutputTopic<String, RejectedEvent> dlq;

    @BeforeAll
    static void serdes() {
        serdes = AnalyticsSerdes.on(SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", registry.url())));
    }

    @BeforeEach
    void driver() {
        AnalyticsSettings settings = new AnalyticsSettings();
        settings.setGrace(Duration.minutes(2));
        // Fewer than the windows the tests touch: rollups are dropped from memory and read back from RocksDB.
        settings.setDecodedWindowsPerTask(2);
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "rollups-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // The clock a day after the events: they are history, not from a client whose clock is ahead.
        driver = new TopologyTestDriver(RollupTopology.build(settings, serdes), config, T0.plus(java.time.Duration.ofDays(1)));
        events = driver.createInputTopic(TopicCatalog.ANALYTICS_EVENTS, new ByteArraySerializer(), new ByteArraySerializer());
        orders = driver.createInputTopic(TopicCatalog.ORDERS_EVENTS, new ByteArraySerializer(), new ByteArraySerializer());
        audit = driver.createInputTopic(TopicCatalog.AUDIT_EVENTS, new ByteArraySerializer(), new ByteArraySerializer());
        dlq = driver.createOutputTopic(TopicCatalog.ANALYTICS_DLQ, new StringDeserializer(),
                serdes.rejections().deserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void countsSumsDistinctUsersAndQuantilesPerMinuteAndHour() {
        for (int i = 0; i < 120; i++) {
            send(event("page_view", "u-" + (i % 30), (double) i, T0.plusSeconds(i)));
        }
        send(event("signup", "u-1", null, T0.plusSeconds(5)));

        Rollup firstMinute = minute("page_view", T0);
        assertThat(firstMinute.count()).isEqualTo(60);
        assertThat(firstMinute.sum()).isEqualTo(59 * 60 / 2.0);
        assertThat(minute("page_view", T0.plusSeconds(60)).count()).isEqualTo(60);
        Rollup hour = hour("page_view", T0);
        assertThat(hour.count()).isEqualTo(120);
        assertThat(hour.users().getEstimate()).isEqualTo(30, offset(0.5));
        assertThat(hour.values().getQuantile(0.5, QuantileSearchCriteria.INCLUSIVE)).isBetween(57.0, 62.0);
        Rollup all = hour(Measure.ALL, T0);
        assertThat(all.count()).isEqualTo(121);
        assertThat(all.names().getEstimate("page_view")).isEqualTo(120);
        assertThat(all.names().getEstimate("signup")).isEqualTo(1);
        Rollup.Merged merged = Rollup.merge(List.of(minute("page_view", T0), minute("page_view", T0.plusSeconds(60))));
        assertThat(merged.distinctUsers()).as("users of both minutes, once each").isEqualTo(30, offset(0.5));
    }

    @Test
    void aCopyOfAnEventIsCountedOnceAndAnotherTenantsEventWithTheSameIdIsCounted() {
        AnalyticsEvent original = event("purchase", "u-1", 30.0, T0.plusSeconds(5));
        send(original);
        send(event("purchase", "u-2", 12.0, T0.plusSeconds(6)));
        send(original);
        AnalyticsEvent retried = AnalyticsEvent.newBuilder(original).setOccurredAt(null)
                .setReceivedAt(T0.plusSeconds(40)).build();
        send(retried);
        send(AnalyticsEvent.newBuilder(original).setTenantId("globex").build());

        assertThat(minute("purchase", T0).count()).as("the original and u-2's, each once").isEqualTo(2);
        assertThat(minute("purchase", T0).sum()).isEqualTo(42.0);
        assertThat(hour("purchase", T0).count()).isEqualTo(2);
        assertThat(hour(Measure.ALL, T0).count()).isEqualTo(2);
        WindowStore<String, Rollup> hours = driver.getWindowStore(RollupTopology.HOUR_STORE);
        assertThat(hours.fetch(Measure.key("globex", "purchase"), T0.toEpochMilli()).count())
                .as("ids are the tenant's own").isEqualTo(1);
        assertThat(dlq.isEmpty()).as("a copy is no error").isTrue();
        assertThat(driver.metrics().entrySet()).filteredOn(metric -> metric.getKey().name()
                        .equals("duplicates-dropped-total"))
                .extracting(metric -> ((Number) metric.getValue().metricValue()).doubleValue()).containsExactly(2.0);
    }

    @Test
    void theTenantsStarCountsTheMostFrequentValuesOfEachProperty() {
        for (int i = 0; i < 90; i++) {
            AnalyticsEvent event = event("page_view", "u-" + i, null, T0.plusSeconds(i));
            event.setProperties(Map.of("plan", i % 3 == 0 ? "pro" : "free", "page", "/p/" + (i % 2)));
            send(event);
        }
        send(event("signup", "u-1", null, T0.plusSeconds(100)));

        Rollup.Merged merged = Rollup.merge(List.of(minute(Measure.ALL, T0), minute(Measure.ALL, T0.plusSeconds(60))));
        assertThat(merged.topValues("plan")).extracting(Map.Entry::getKey, Map.Entry::getValue)
                .containsExactly(tuple("free", 60L), tuple("pro", 30L));
        assertThat(merged.topValues("page")).extracting(Map.Entry::getValue).containsExactly(45L, 45L);
        assertThat(merged.topValues("campaign")).isEmpty();
        assertThat(minute("page_view", T0).properties()).as("only the tenant's * keeps them").isNull();
    }

    @Test
    void aLateEventCountsWithinTheGraceAndIsDeadLetteredWhenNoWindowTakesItAnyMore() {
        send(event("click", "u-1", null, T0.plusSeconds(10)));
        send(event("click", "u-1", null, T0.plusSeconds(170)));
        send(event("click", "u-2", null, T0.plusSeconds(30)));
        assertThat(minute("click", T0).count()).as("the first minute ended 110 s before stream time: within 2 min grace")
                .isEqualTo(2);

        send(event("click", "u-3", null, T0.plus(java.time.Duration.ofMinutes(10))));
        send(event("click", "u-4", null, T0.plusSeconds(40)));
        assertThat(minute("click", T0).count()).as("past the minute's grace").isEqualTo(2);
        assertThat(hour("click", T0).count()).as("the hour still takes it").isEqualTo(5);
        assertThat(dlq.isEmpty()).isTrue();

        send(event("click", "u-5", null, T0.plus(java.time.Duration.ofMinutes(125))));
        send(event("click", "u-6", null, T0.plusSeconds(50)));
        assertThat(hour("click", T0).count()).isEqualTo(5);
        List<RejectedEvent> rejected = dlq.readValuesToList();
        assertThat(rejected).as("one dead letter per event").singleElement().satisfies(rejection -> {
            assertThat(rejection.getReasonCode()).isEqualTo(RejectionReason.EXPIRED);
            assertThat(rejection.getReason()).contains("came after its hour window closed");
        });
    }

    @Test
    void anEventFromAClockAheadCountsWithoutClosingWindowsAndOneTooFarAheadIsDeadLettered() {
        Instant now = T0.plus(java.time.Duration.ofDays(1));
        send(event("tap", "u-1", null, now.plusSeconds(240)));
        send(event("tap", "u-2", null, now.minusSeconds(90)));
        assertThat(minute("tap", now.plusSeconds(240).truncatedTo(ChronoUnit.MINUTES)).count()).isEqualTo(1);
        assertThat(minute("tap", now.minusSeconds(90).truncatedTo(ChronoUnit.MINUTES)).count())
                .as("within the grace of the clock, though an event 4 min ahead came first").isEqualTo(1);
        assertThat(dlq.isEmpty()).isTrue();

        send(event("tap", "u-3", null, now.plus(java.time.Duration.ofMinutes(30))));
        assertThat(minute("tap", now.plus(java.time.Duration.ofMinutes(30)))).as("not counted").isNull();
        assertThat(dlq.readValuesToList()).as("one dead letter, not one for * too").singleElement()
                .satisfies(rejection -> {
                    assertThat(rejection.getReasonCode()).isEqualTo(RejectionReason.INVALID_VALUE);
                    assertThat(rejection.getFieldPath()).isEqualTo("occurredAt");
                    assertThat(rejection.getReason()).contains("ahead of the clock");
                });
    }

    @Test
    void ordersGiveRevenuePerCurrencyAndOutcomesAndAuditGivesDenials() {
        sendOrder(OrderStatus.PAID, "EUR", 4_998, T0.plusSeconds(1));
        sendOrder(OrderStatus.PAID, "EUR", 1_000, T0.plusSeconds(2));
        sendOrder(OrderStatus.PAID, "USD", 700, T0.plusSeconds(3));
        sendOrder(OrderStatus.CANCELLED, "EUR", 300, T0.plusSeconds(4));
        sendAudit(AuditOutcome.DENIED, T0.plusSeconds(5));
        sendAudit(AuditOutcome.SUCCESS, T0.plusSeconds(6));

        assertThat(minute("revenue.EUR", T0).sum()).isEqualTo(5_998);
        assertThat(minute("revenue.USD", T0).sum()).isEqualTo(700);
        assertThat(minute("orders.paid", T0).count()).isEqualTo(3);
        assertThat(minute("orders.cancelled", T0).count()).isEqualTo(1);
        assertThat(minute("audit.denied", T0).count()).isEqualTo(1);
        assertThat(minute(Measure.ALL, T0)).as("the tenant's * counts product analytics events only").isNull();
    }

    @Test
    void aPoisonEventIsDeadLetteredWithItsReasonWhileTheRestIsCounted() {
        events.pipeInput("acme:x".getBytes(StandardCharsets.UTF_8), "{\"name\":\"json\"}".getBytes(StandardCharsets.UTF_8),
                T0);
        send(event("", "u-1", null, T0));
        send(event("ok", "u-1", null, T0));
        assertThat(dlq.readValuesToList()).extracting(RejectedEvent::getReasonCode, RejectedEvent::getFieldPath)
                .containsExactly(tuple(RejectionReason.UNDECODABLE, null),
                        tuple(RejectionReason.INVALID_VALUE, "name"));
        assertThat(minute("ok", T0).count()).isEqualTo(1);
    }

    private Rollup minute(String name, Instant start) {
        WindowStore<String, Rollup> store = driver.getWindowStore(RollupTopology.MINUTE_STORE);
        return store.fetch(Measure.key(TENANT, name), start.toEpochMilli());
    }

    private Rollup hour(String name, Instant start) {
        WindowStore<String, Rollup> store = driver.getWindowStore(RollupTopology.HOUR_STORE);
        return store.fetch(Measure.key(TENANT, name), start.toEpochMilli());
    }

    private static AnalyticsEvent event(String name, String user, Double value, Instant at) {
        return AnalyticsEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTenantId(TENANT).setSource("web")
                .setReceivedAt(at.plusSeconds(1)).setName(name).setUserId(user).setValue(value).setOccurredAt(at).build();
    }

    private void send(AnalyticsEvent event) {
        events.pipeInput((TENANT + ":" + event.getUserId()).getBytes(StandardCharsets.UTF_8),
                serdes.events().serializer().serialize(TopicCatalog.ANALYTICS_EVENTS, event), event.getReceivedAt());
        passPartsOn();
    }

    private void sendOrder(OrderStatus status, String currency, long total, Instant at) {
        OrderEvent event = OrderEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTenantId(TENANT)
                .setOrderId("o-" + UUID.randomUUID()).setCustomerId("c-1").setCommandId("cmd").setSequence(1)
                .setStatus(status).setItems(List.of()).setCurrency(currency).setSubtotalMinor(total)
                .setTotalMinor(total).setOccurredAt(at).setCommandRefused(false).build();
        orders.pipeInput((TENANT + ":c-1").getBytes(StandardCharsets.UTF_8),
                serdes.orders().serializer().serialize(TopicCatalog.ORDERS_EVENTS, event), at);
        passPartsOn();
    }

    private void sendAudit(AuditOutcome outcome, Instant at) {
        AuditRecord record = AuditRecord.newBuilder().setEventId(UUID.randomUUID().toString()).setTenantId(TENANT)
                .setSource("app").setReceivedAt(at).setOccurredAt(at).setAction("file.read").setActionRaw("read")
                .setOutcome(outcome).setSeverity(AuditSeverity.INFO).setActorType(AuditActorType.USER)
                .setActorId("u-9").setResource(new AuditResource("file", "f-1", null))
                .setFlags(new AuditFlags(false, false, false)).build();
        audit.pipeInput(TENANT.getBytes(StandardCharsets.UTF_8),
                serdes.audit().serializer().serialize(TopicCatalog.AUDIT_EVENTS, record), at);
        passPartsOn();
    }

    /** The reading task's parts reach the rollups when its punctuation passes them on. */
    private void passPartsOn() {
        driver.advanceWallClockTime(RollupProcessor.PASS_ON_EVERY);
    }
}
