package dev.eventbackbone.processors.orders;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.processors.JsonSerde;
import java.time.Duration;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The order topology (docs/orders.md): per customer, a state machine that applies the customer's
 * commands in the order they were accepted; per SKU, stock that is never oversold; between them a
 * saga over two topics that reserves an order's lines all or nothing. Two sub-topologies, keyed
 * {@code tenant:customerId} and {@code tenant:sku}, each reading its input topics in one task per
 * partition, so one exactly-once commit covers a step's state and everything it writes.
 */
public final class OrderTopology {

    /** This topology's name: default application.id, rejectedBy of its dead letters, source of what it writes. */
    public static final String COMPONENT = "order-processor";

    public static final String ORDERS_STORE = "orders";
    public static final String CUSTOMERS_STORE = "order-customers";
    public static final String STOCK_STORE = "inventory-stock";
    static final String RESERVATIONS_STORE = "inventory-reservations";
    static final String COMMANDS_STORE = "order-command-ids";
    static final String DEADLINES_STORE = "order-payment-deadlines";
    /** Per partition of orders.commands, the offset of the last command read: for read-your-writes. */
    public static final String APPLIED_STORE = "order-commands-read";

    static final String EVENTS_SINK = "orders-events";
    static final String RESERVATIONS_SINK = "inventory-reservations";
    static final String RESULTS_SINK = "reservation-results";
    static final String PAYMENTS_SINK = "payments-requests";
    static final String NOTIFICATIONS_SINK = "notifications-requests";
    static final String DLQ_SINK = "orders-dlq";

    private static final String ORDER_SOURCE = "order-inputs";
    private static final String INVENTORY_SOURCE = "inventory-inputs";
    private static final String ORDER_PROCESSOR = "order-machine";
    private static final String INVENTORY_PROCESSOR = "inventory";

    private OrderTopology() {
    }

    public static Topology build(OrderSettings settings, OrderSerdes serdes) {
        Duration dedupe = settings.getCommandDedupeWindow().toJavaDuration();
        // No store is cached: a cached store would show interactive queries the state as of the last commit,
        // so a read-your-writes query could see a command's offset read before what the command did.
        Topology topology = new Topology();
        topology.addSource(ORDER_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                TopicCatalog.ORDERS_COMMANDS, TopicCatalog.ORDERS_RESERVATION_RESULTS);
        topology.addSource(INVENTORY_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                TopicCatalog.INVENTORY_UPDATES, TopicCatalog.INVENTORY_RESERVATIONS);
        topology.addProcessor(ORDER_PROCESSOR, () -> new OrderProcessor(settings, serdes), ORDER_SOURCE);
        topology.addProcessor(INVENTORY_PROCESSOR, () -> new InventoryProcessor(serdes), INVENTORY_SOURCE);

        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ORDERS_STORE),
                Serdes.String(), new JsonSerde<>(OrderState.class)), ORDER_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CUSTOMERS_STORE),
                Serdes.String(), new JsonSerde<>(CustomerState.class)), ORDER_PROCESSOR);
        topology.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(COMMANDS_STORE, dedupe, dedupe, false),
                Serdes.String(), Serdes.Long()), ORDER_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEADLINES_STORE),
                Serdes.String(), Serdes.String()), ORDER_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(APPLIED_STORE),
                Serdes.Integer(), Serdes.Long()), ORDER_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STOCK_STORE),
                Serdes.String(), new JsonSerde<>(Stock.class)), INVENTORY_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RESERVATIONS_STORE),
                Serdes.String(), Serdes.Integer()), INVENTORY_PROCESSOR);

        topology.addSink(EVENTS_SINK, TopicCatalog.ORDERS_EVENTS, new StringSerializer(),
                serdes.events().serializer(), ORDER_PROCESSOR);
        topology.addSink(RESERVATIONS_SINK, TopicCatalog.INVENTORY_RESERVATIONS, new StringSerializer(),
                serdes.reservations().serializer(), ORDER_PROCESSOR);
        topology.addSink(PAYMENTS_SINK, TopicCatalog.PAYMENTS_REQUESTS, new StringSerializer(),
                serdes.payments().serializer(), ORDER_PROCESSOR);
        topology.addSink(NOTIFICATIONS_SINK, TopicCatalog.NOTIFICATIONS_REQUESTS, new StringSerializer(),
                serdes.notifications().serializer(), ORDER_PROCESSOR);
        topology.addSink(RESULTS_SINK, TopicCatalog.ORDERS_RESERVATION_RESULTS, new StringSerializer(),
                serdes.results().serializer(), INVENTORY_PROCESSOR);
        topology.addSink(DLQ_SINK, TopicCatalog.ORDERS_DLQ, new ByteArraySerializer(),
                serdes.rejections().serializer(), ORDER_PROCESSOR, INVENTORY_PROCESSOR);
        return topology;
    }
}
