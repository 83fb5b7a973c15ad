package dev.eventbackbone.processors.orders;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.InventoryUpdate;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.OrderCommandType;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.OrderItem;
import dev.eventbackbone.contracts.events.PaymentRequest;
import dev.eventbackbone.contracts.events.RejectedEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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

/** The order topology in a TopologyTestDriver with the real Avro serdes, fed as the gateway would feed it. */
final class OrderDriver implements AutoCloseable {

    static final Instant START = Instant.parse("2026-12-01T12:00:00Z");

    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> commands;
    final TestInputTopic<byte[], byte[]> updates;
    final TestOutputTopic<String, OrderEvent> events;
    final TestOutputTopic<String, PaymentRequest> payments;
    final TestOutputTopic<String, NotificationRequest> notifications;
    final TestOutputTopic<byte[], RejectedEvent> dlq;
    private final OrderSerdes serdes;

    OrderDriver(OrderSettings settings, OrderSerdes serdes, Path stateDir) {
        this.serdes = serdes;
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "order-processor-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(OrderTopology.build(settings, serdes), config, START);
        commands = driver.createInputTopic(TopicCatalog.ORDERS_COMMANDS, new ByteArraySerializer(),
                new ByteArraySerializer());
        updates = driver.createInputTopic(TopicCatalog.INVENTORY_UPDATES, new ByteArraySerializer(),
                new ByteArraySerializer());
        events = driver.createOutputTopic(TopicCatalog.ORDERS_EVENTS, new StringDeserializer(),
                serdes.events().deserializer());
        payments = driver.createOutputTopic(TopicCatalog.PAYMENTS_REQUESTS, new StringDeserializer(),
                serdes.payments().deserializer());
        notifications = driver.createOutputTopic(TopicCatalog.NOTIFICATIONS_REQUESTS, new StringDeserializer(),
                serdes.notifications().deserializer());
        dlq = driver.createOutputTopic(TopicCatalog.ORDERS_DLQ, new ByteArrayDeserializer(),
                serdes.rejections().deserializer());
    }

    /** A command of acme's customer c-1, to adjust per test. */
    static OrderCommand.Builder command(OrderCommandType type, String orderId) {
        return OrderCommand.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setTenantId("acme")
                .setSource("shop")
                .setReceivedAt(START)
                .setCommandId(UUID.randomUUID().toString())
                .setType(type)
                .setCustomerId("c-1")
                .setOrderId(orderId);
    }

    static OrderCommand.Builder place(String orderId, OrderItem... items) {
        return command(OrderCommandType.PLACE, orderId).setItems(List.of(items)).setCurrency("EUR");
    }

    static OrderItem item(String sku, int quantity, long unitPriceMinor) {
        return new OrderItem(sku, quantity, unitPriceMinor, null);
    }

    void send(OrderCommand command) {
        commands.pipeInput(bytes(command.getTenantId() + ":" + command.getCustomerId()),
                serdes.commands().serializer().serialize(TopicCatalog.ORDERS_COMMANDS, command));
    }

    /** Sends the command and returns every event it caused, saga steps included. */
    List<OrderEvent> answer(OrderCommand command) {
        send(command);
        return events.readValuesToList();
    }

    void stock(String sku, Long available, Long delta) {
        InventoryUpdate update = InventoryUpdate.newBuilder().setEventId(UUID.randomUUID().toString())
                .setTenantId("acme").setSource("warehouse").setReceivedAt(START).setSku(sku)
                .setAvailable(available).setDelta(delta).build();
        updates.pipeInput(bytes("acme:" + sku), serdes.updates().serializer().serialize(TopicCatalog.INVENTORY_UPDATES,
                update));
    }

    void stock(String sku, long available) {
        stock(sku, available, null);
    }

    /** {available, reserved} of the SKU, as the inventory store holds them. */
    long[] stockOf(String sku) {
        KeyValueStore<String, Stock> store = driver.getKeyValueStore(OrderTopology.STOCK_STORE);
        Stock stock = store.get("acme:" + sku);
        return stock == null ? new long[] {0, 0} : new long[] {stock.available, stock.reserved};
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        driver.close();
    }
}
