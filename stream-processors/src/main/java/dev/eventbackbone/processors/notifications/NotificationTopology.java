package dev.eventbackbone.processors.notifications;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicSpec;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.processors.JsonSerde;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The notification fan-out (docs/notifications.md): one task per partition of the four
 * co-partitioned topics keyed {@code tenant:recipientId} (requests, preferences, retries,
 * results), so one exactly-once commit covers a recipient's preferences, the queue of its
 * messages, what it was sent, and the ledger of its requests.
 */
public final class NotificationTopology {

    /** This topology's name: default application.id, rejectedBy of its dead letters. */
    public static final String COMPONENT = "notification-fanout";

    public static final String LEDGER_STORE = "notification-ledger";
    static final String PREFERENCES_STORE = "notification-preferences";
    static final String QUEUE_STORE = "notification-queue";
    static final String RECIPIENT_SENDS_STORE = "notification-recipient-sends";
    static final String DISABLED_ENDPOINTS_STORE = "notification-disabled-endpoints";
    static final String AWAITING_PREFERENCES_STORE = "notification-awaiting-preferences";

    static final List<NotificationChannel> CHANNELS = List.of(NotificationChannel.EMAIL, NotificationChannel.SMS,
            NotificationChannel.PUSH, NotificationChannel.WEBHOOK);
    static final String RESULTS_SINK = "notifications-results";
    static final String DLQ_SINK = "notifications-dlq";

    private static final String SOURCE = "notification-inputs";
    private static final String PROCESSOR = "fan-out";

    private NotificationTopology() {
    }

    static String sinkOf(NotificationChannel channel) {
        return TopicCatalog.channelTopic(channel);
    }

    /** How many partitions share each provider's rate: those of the topics the fan-out reads. */
    public static int partitions() {
        return TopicCatalog.byName(TopicCatalog.NOTIFICATIONS_REQUESTS).map(TopicSpec::partitions).orElseThrow();
    }

    public static Topology build(NotificationSettings settings, NotificationSerdes serdes, Templates templates) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                TopicCatalog.NOTIFICATIONS_REQUESTS, TopicCatalog.NOTIFICATIONS_PREFERENCES,
                TopicCatalog.NOTIFICATIONS_RETRY, TopicCatalog.NOTIFICATIONS_RESULTS);
        int partitions = partitions();
        topology.addProcessor(PROCESSOR, () -> new FanOutProcessor(settings, serdes, templates, partitions), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PREFERENCES_STORE),
                Serdes.String(), serdes.preferences()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(QUEUE_STORE),
                Serdes.String(), serdes.messages()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RECIPIENT_SENDS_STORE),
                Serdes.String(), new JsonSerde<>(long[].class)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LEDGER_STORE),
                Serdes.String(), new JsonSerde<>(Ledger.class)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DISABLED_ENDPOINTS_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AWAITING_PREFERENCES_STORE),
                Serdes.String(), Serdes.ByteArray()), PROCESSOR);
        for (NotificationChannel channel : CHANNELS) {
            topology.addSink(sinkOf(channel), TopicCatalog.channelTopic(channel), new StringSerializer(),
                    serdes.messages().serializer(), PROCESSOR);
        }
        topology.addSink(RESULTS_SINK, TopicCatalog.NOTIFICATIONS_RESULTS, new StringSerializer(),
                serdes.results().serializer(), PROCESSOR);
        topology.addSink(DLQ_SINK, TopicCatalog.NOTIFICATIONS_DLQ, new ByteArraySerializer(),
                serdes.rejections().serializer(), PROCESSOR);
        return topology;
    }
}
