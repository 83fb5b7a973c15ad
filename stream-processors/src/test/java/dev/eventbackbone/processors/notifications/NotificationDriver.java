package dev.eventbackbone.processors.notifications;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.DeliveryResult;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationMessage;
import dev.eventbackbone.contracts.events.NotificationPriority;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.RecipientPreferences;
import dev.eventbackbone.contracts.events.RejectedEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/** The fan-out topology in a TopologyTestDriver with the real Avro serdes, fed as the gateway and the workers feed it. */
final class NotificationDriver implements AutoCloseable {

    static final Instant START = Instant.parse("2026-12-01T12:00:00Z");
    static final String TENANT = "acme";
    static final long RELEASE_INTERVAL_MILLIS = 100;

    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> requests;
    final TestInputTopic<byte[], byte[]> preferences;
    final TestInputTopic<byte[], byte[]> results;
    final TestInputTopic<byte[], byte[]> retries;
    final Map<NotificationChannel, TestOutputTopic<String, NotificationMessage>> channels =
            new EnumMap<>(NotificationChannel.class);
    final TestOutputTopic<String, DeliveryResult> resultsOut;
    final TestOutputTopic<byte[], RejectedEvent> dlq;
    private final NotificationSerdes serdes;

    NotificationDriver(NotificationSettings settings, NotificationSerdes serdes, Templates templates, Path stateDir) {
        this.serdes = serdes;
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "notification-fanout-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(NotificationTopology.build(settings, serdes, templates), config, START);
        requests = driver.createInputTopic(TopicCatalog.NOTIFICATIONS_REQUESTS, new ByteArraySerializer(),
                new ByteArraySerializer());
        preferences = driver.createInputTopic(TopicCatalog.NOTIFICATIONS_PREFERENCES, new ByteArraySerializer(),
                new ByteArraySerializer());
        results = driver.createInputTopic(TopicCatalog.NOTIFICATIONS_RESULTS, new ByteArraySerializer(),
                new ByteArraySerializer());
        retries = driver.createInputTopic(TopicCatalog.NOTIFICATIONS_RETRY, new ByteArraySerializer(),
                new ByteArraySerializer());
        for (NotificationChannel channel : NotificationTopology.CHANNELS) {
            channels.put(channel, driver.createOutputTopic(TopicCatalog.channelTopic(channel), new StringDeserializer(),
                    serdes.messages().deserializer()));
        }
        resultsOut = driver.createOutputTopic(TopicCatalog.NOTIFICATIONS_RESULTS, new StringDeserializer(),
                serdes.results().deserializer());
        dlq = driver.createOutputTopic(TopicCatalog.NOTIFICATIONS_DLQ, new ByteArrayDeserializer(),
                serdes.rejections().deserializer());
    }

    static RecipientPreferences.Builder prefs(String recipient) {
        return RecipientPreferences.newBuilder().setEventId(UUID.randomUUID().toString()).setTenantId(TENANT)
                .setSource("settings").setReceivedAt(START).setRecipientId(recipient)
                .setEmail(recipient + "@example.com").setPhone("+41791234567")
                .setWebhookUrl("https://hooks.example.com/" + recipient);
    }

    static NotificationRequest.Builder request(String recipient) {
        return NotificationRequest.newBuilder().setEventId(UUID.randomUUID().toString()).setTenantId(TENANT)
                .setSource("billing").setReceivedAt(START).setRecipientId(recipient).setBody("Your invoice is ready.")
                .setChannels(List.of(NotificationChannel.EMAIL)).setPriority(NotificationPriority.NORMAL);
    }

    void set(RecipientPreferences prefs) {
        preferences.pipeInput(bytes(TENANT + ":" + prefs.getRecipientId()),
                serdes.preferences().serializer().serialize(TopicCatalog.NOTIFICATIONS_PREFERENCES, prefs));
    }

    void send(NotificationRequest request) {
        requests.pipeInput(bytes(request.getTenantId() + ":" + request.getRecipientId()),
                serdes.requests().serializer().serialize(TopicCatalog.NOTIFICATIONS_REQUESTS, request), START);
    }

    void report(DeliveryResult result) {
        results.pipeInput(bytes(result.getTenantId() + ":" + result.getRecipientId()),
                serdes.results().serializer().serialize(TopicCatalog.NOTIFICATIONS_RESULTS, result));
    }

    void retry(NotificationMessage message) {
        retries.pipeInput(bytes(message.getTenantId() + ":" + message.getRecipientId()),
                serdes.messages().serializer().serialize(TopicCatalog.NOTIFICATIONS_RETRY, message));
    }

    /** Lets wall-clock time pass in steps of the release interval (100 ms), punctuating after each. */
    void pass(Duration time) {
        for (long step = 0; step < time.toMillis() / RELEASE_INTERVAL_MILLIS; step++) {
            driver.advanceWallClockTime(Duration.ofMillis(RELEASE_INTERVAL_MILLIS));
        }
    }

    /** Lets a long time pass at once: one punctuation at its end. */
    void jump(Duration time) {
        driver.advanceWallClockTime(time);
    }

    List<NotificationMessage> released(NotificationChannel channel) {
        return channels.get(channel).readValuesToList();
    }

    Ledger ledger(String eventId) {
        KeyValueStore<String, Ledger> store = driver.getKeyValueStore(NotificationTopology.LEDGER_STORE);
        return store.get(TENANT + ":" + eventId);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        driver.close();
    }
}
