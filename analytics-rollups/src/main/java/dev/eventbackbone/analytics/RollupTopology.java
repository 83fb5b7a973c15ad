package dev.eventbackbone.analytics;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.RejectedEvent;
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
 * The rollups (docs/analytics.md): analytics, order and audit events read into measures, moved to
 * the partition of their {@code tenant|name} (one repartition topic), and added to a minute and an
 * hour window store there, exactly once. Each store is a RocksDB window store with its changelog,
 * queried in place by interactive queries.
 */
public final class RollupTopology {

    /** This topology's name: its default application.id and the rejectedBy of its dead letters. */
    public static final String COMPONENT = "analytics-rollups";
    public static final String MINUTE_STORE = "rollups-minute";
    public static final String HOUR_STORE = "rollups-hour";
    /** The repartition that moves measures to the partition of their name. */
    static final String BY_NAME = "by-name";
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration HOUR = Duration.ofHours(1);

    private RollupTopology() {
    }

    public static Topology build(AnalyticsSettings settings, AnalyticsSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        // Cached: a window's rollup changes with every event, but RocksDB and the changelog get it once per
        // commit (a sketch is kilobytes; written per event, the changelog was the bottleneck).
        builder.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(MINUTE_STORE,
                settings.getMinuteRetention().toJavaDuration(), MINUTE, false), Serdes.String(), new RollupSerde())
                .withCachingEnabled());
        builder.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(HOUR_STORE,
                settings.getHourRetention().toJavaDuration(), HOUR, false), Serdes.String(), new RollupSerde())
                .withCachingEnabled());

        KStream<String, Object> read = builder.stream(List.of(TopicCatalog.ANALYTICS_EVENTS,
                        TopicCatalog.ORDERS_EVENTS, TopicCatalog.AUDIT_EVENTS),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("events"))
                .process(() -> new MeasureExtractor(serdes), Named.as("measures"));
        read.split(Named.as("read-"))
                .branch((key, value) -> value instanceof RejectedEvent, Branched.withConsumer(rejected ->
                        deadLetters(rejected, serdes), "rejected"))
                .defaultBranch(Branched.withConsumer(measures -> measures
                        .mapValues(value -> (Measure) value, Named.as("as-measure"))
                        .repartition(Repartitioned.with(Serdes.String(), new MeasureSerde()).withName(BY_NAME))
                        .process(() -> new RollupProcessor(settings.getGrace().toMilliseconds()), Named.as("rollup"),
                                MINUTE_STORE, HOUR_STORE)
                        .to(TopicCatalog.ANALYTICS_DLQ, Produced.with(Serdes.String(),
                                new ObjectAsRejection(serdes)).withName("late-dlq")), "measured"));
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
