package dev.eventbackbone.analytics;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.service.SeenEvents;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The rollups (docs/analytics.md), exactly once: analytics, order and audit events read into
 * measures; each reading task adds them to its own parts of their minute and hour windows and
 * passes each part on a few times a second to the partition of its {@code tenant|name} (one
 * repartition topic: a record per window touched, not per event), where the parts are added to
 * the key's minute and hour rollups. Those are RocksDB window stores with changelogs, queried in
 * place by interactive queries.
 */
public final class RollupTopology {

    /** This topology's name: its default application.id and the rejectedBy of its dead letters. */
    public static final String COMPONENT = "analytics-rollups";
    public static final String MINUTE_STORE = "rollups-minute";
    public static final String HOUR_STORE = "rollups-hour";
    static final String MINUTE_PARTS_STORE = "rollups-minute-parts";
    static final String HOUR_PARTS_STORE = "rollups-hour-parts";
    static final String EVENT_TIME_STORE = "rollups-event-time";
    static final String SEEN_EVENTS_STORE = "rollups-seen-events";
    /** The repartition that moves the reading tasks' parts to the partition of their name. */
    static final String BY_NAME = "by-name";
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration HOUR = Duration.ofHours(1);

    private RollupTopology() {
    }

    public static Topology build(AnalyticsSettings settings, AnalyticsSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        // The parts each reading task has counted since it last passed them on: in memory (few, drained every
        // RollupProcessor.PASS_ON_EVERY), with changelogs. Kept as long as the rollups: a window store drops
        // what is older than its retention behind the newest window it holds, silently.
        builder.addStateStore(DecodedRollupStore.on(Stores.windowStoreBuilder(Stores.inMemoryWindowStore(
                MINUTE_PARTS_STORE, settings.getMinuteRetention().toJavaDuration(), MINUTE, false), Serdes.String(),
                new RollupSerde()).withCachingDisabled(), Integer.MAX_VALUE));
        builder.addStateStore(DecodedRollupStore.on(Stores.windowStoreBuilder(Stores.inMemoryWindowStore(
                HOUR_PARTS_STORE, settings.getHourRetention().toJavaDuration(), HOUR, false), Serdes.String(),
                new RollupSerde()).withCachingDisabled(), Integer.MAX_VALUE));
        // Each reading task's event time; cached, so its changelog gets it once per commit.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(EVENT_TIME_STORE),
                Serdes.String(), Serdes.Long()).withCachingEnabled());
        // The rollups queries read, one copy per tenant|name window: decoded while they take parts, written
        // to RocksDB and the changelog once per commit.
        builder.addStateStore(DecodedRollupStore.on(Stores.windowStoreBuilder(Stores.persistentWindowStore(
                MINUTE_STORE, settings.getMinuteRetention().toJavaDuration(), MINUTE, false), Serdes.String(),
                new RollupSerde()).withCachingDisabled(), settings.getDecodedWindowsPerTask()));
        builder.addStateStore(DecodedRollupStore.on(Stores.windowStoreBuilder(Stores.persistentWindowStore(
                HOUR_STORE, settings.getHourRetention().toJavaDuration(), HOUR, false), Serdes.String(),
                new RollupSerde()).withCachingDisabled(), settings.getDecodedWindowsPerTask()));

        // The analytics events counted while a window can still take a copy of them: until the hour ends, plus the
        // grace, plus how far ahead of the clock an event may be and so move the store's time before the windows'.
        Duration seenWindow = HOUR.plus(settings.getGrace().toJavaDuration()).plus(RollupProcessor.MAX_CLOCK_SKEW);
        builder.addStateStore(SeenEvents.store(SEEN_EVENTS_STORE, seenWindow));

        KStream<String, Object> read = builder.stream(List.of(TopicCatalog.ANALYTICS_EVENTS,
                        TopicCatalog.ORDERS_EVENTS, TopicCatalog.AUDIT_EVENTS),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("events"))
                .process(() -> new MeasureExtractor(serdes, seenWindow), Named.as("measures"), SEEN_EVENTS_STORE);
        read.split(Named.as("read-"))
                .branch((key, value) -> value instanceof RejectedEvent, Branched.withConsumer(rejected ->
                        deadLetters(rejected, serdes), "rejected"))
                .defaultBranch(Branched.withConsumer(measures -> measures
                        .mapValues(value -> (Measure) value, Named.as("as-measure"))
                        .process(() -> new RollupProcessor(settings.getGrace().toMilliseconds()), Named.as("count"),
                                MINUTE_PARTS_STORE, HOUR_PARTS_STORE, EVENT_TIME_STORE)
                        .split(Named.as("counted-"))
                        .branch((key, value) -> value instanceof RejectedEvent, Branched.withConsumer(late ->
                                late.to(TopicCatalog.ANALYTICS_DLQ, Produced.with(Serdes.String(),
                                        new ObjectAsRejection(serdes)).withName("late-dlq")), "late"))
                        .defaultBranch(Branched.withConsumer(parts -> parts
                                .mapValues(value -> (RollupPart) value, Named.as("as-part"))
                                .repartition(Repartitioned.with(Serdes.String(), new RollupPart.PartSerde())
                                        .withName(BY_NAME))
                                .process(RollupMerger::new, Named.as("rollup"), MINUTE_STORE, HOUR_STORE),
                                "parts")), "measured"));
        return builder.build();
    }

    private static void deadLetters(KStream<String, Object> rejected, AnalyticsSerdes serdes) {
        rejected.to(TopicCatalog.ANALYTICS_DLQ, Produced.with(Serdes.String(), new ObjectAsRejection(serdes))
                .withName("analytics-dlq"));
    }

    /** Writes the RejectedEvents that travel as Object values with the registry's Avro serializer. */
    private static final class ObjectAsRejection implements Serde<Object> {
        private final AnalyticsSerdes serdes;

        ObjectAsRejection(AnalyticsSerdes serdes) {
            this.serdes = serdes;
        }

        @Override
        public Serializer<Object> serializer() {
            return (topic, value) -> serdes.rejections().serializer().serialize(topic, (RejectedEvent) value);
        }

        @Override
        public Deserializer<Object> deserializer() {
            return (topic, bytes) -> serdes.rejections().deserializer().deserialize(topic, bytes);
        }
    }
}
