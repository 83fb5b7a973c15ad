package dev.eventbackbone.processors.orders;

import static dev.eventbackbone.processors.orders.OrderDriver.command;
import static dev.eventbackbone.processors.orders.OrderDriver.item;
import static dev.eventbackbone.processors.orders.OrderDriver.place;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.InventoryReservation;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.OrderCommandType;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.PaymentRequest;
import dev.eventbackbone.contracts.events.ReservationResult;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.processors.JsonSerde;
import dev.eventbackbone.registry.RegistryExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A customer's commands apply in the order they were accepted even while a reservation is under
 * way: the order processor alone, with the inventory's answers held back until the test gives them
 * (a TopologyTestDriver answers them at once, so it cannot show the wait).
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class CustomerOrderingIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    static OrderSerdes serdes;

    private MockProcessorContext<Object, Object> context;
    private OrderProcessor processor;
    private long offset;

    @BeforeAll
    static void serdes() {
        serdes = OrderSerdes.on(SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", registry.url())));
    }

    @BeforeEach
    void processorWithInMemoryStores() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(OrderDriver.START.toEpochMilli());
        KeyValueStore<String, OrderState> orders = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(OrderTopology.ORDERS_STORE), Serdes.String(),
                new JsonSerde<>(OrderState.class)).withLoggingDisabled().build();
        KeyValueStore<String, CustomerState> customers = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(OrderTopology.CUSTOMERS_STORE), Serdes.String(),
                new JsonSerde<>(CustomerState.class)).withLoggingDisabled().build();
        WindowStore<String, Long> commandIds = Stores.windowStoreBuilder(Stores.inMemoryWindowStore(
                        OrderTopology.COMMANDS_STORE, Duration.ofDays(1), Duration.ofDays(1), false),
                Serdes.String(), Serdes.Long()).withLoggingDisabled().build();
        KeyValueStore<String, String> deadlines = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(OrderTopology.DEADLINES_STORE), Serdes.String(), Serdes.String())
                .withLoggingDisabled().build();
        KeyValueStore<Integer, Long> commandsRead = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(OrderTopology.APPLIED_STORE), Serdes.Integer(), Serdes.Long())
                .withLoggingDisabled().build();
        for (var store : List.of(orders, customers, commandIds, deadlines, commandsRead)) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        processor = new OrderProcessor(new OrderSettings(), serdes);
        processor.init(context);
    }

    @Test
    void commandsWaitForTheReservationBeforeThemAndThenApplyInOrder() {
        send(place("o-1", item("a", 1, 100)).build());
        assertThat(forwarded()).extracting(Object::toString).containsExactly("event ACCEPTED o-1",
                "event VALIDATED o-1", "reserve RESERVE a o-1");

        send(command(OrderCommandType.CANCEL, "o-1").build());
        send(place("o-2", item("b", 1, 100)).build());
        assertThat(forwarded()).as("both wait for o-1's stock").isEmpty();

        answer("o-1", "a", true);

        assertThat(forwarded()).extracting(Object::toString).containsExactly(
                "event INVENTORY_RESERVED o-1", "event PAYMENT_REQUESTED o-1", "payment o-1",
                "reserve RELEASE a o-1", "event CANCELLED o-1",
                "event ACCEPTED o-2", "event VALIDATED o-2", "reserve RESERVE b o-2");
    }

    @Test
    void aConfirmationWaitingInTheQueueAtTheDeadlineIsNotTimedOut() {
        send(place("o-1", item("a", 1, 100)).build());
        answer("o-1", "a", true);
        send(place("o-2", item("b", 1, 100)).build());
        send(command(OrderCommandType.CONFIRM_PAYMENT, "o-1").build());
        forwarded();

        long afterDeadline = OrderDriver.START.plus(Duration.ofMinutes(16)).toEpochMilli();
        context.setCurrentSystemTimeMs(afterDeadline);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(afterDeadline);
        assertThat(forwarded()).as("o-1 is not cancelled while its confirmation waits").isEmpty();

        answer("o-2", "b", true);

        assertThat(forwarded()).contains("event PAID o-1").doesNotContain("event CANCELLED o-1");
    }

    @Test
    void aCommandForAnotherCustomerDoesNotWait() {
        send(place("o-1", item("a", 1, 100)).build());
        forwarded();

        send(place("o-9", item("a", 1, 100)).setCustomerId("c-2").build());

        assertThat(forwarded()).extracting(Object::toString).containsExactly("event ACCEPTED o-9",
                "event VALIDATED o-9", "reserve RESERVE a o-9");
    }

    private void send(OrderCommand command) {
        context.setRecordMetadata(TopicCatalog.ORDERS_COMMANDS, 0, offset++);
        processor.process(new Record<>(OrderDriver.bytes("acme:" + command.getCustomerId()),
                serdes.commands().serializer().serialize(TopicCatalog.ORDERS_COMMANDS, command),
                OrderDriver.START.toEpochMilli()));
    }

    private void answer(String orderId, String sku, boolean reserved) {
        ReservationResult result = ReservationResult.newBuilder().setTenantId("acme").setCustomerId("c-1")
                .setOrderId(orderId).setSku(sku).setQuantity(1).setReserved(reserved).setAvailable(0).build();
        context.setRecordMetadata(TopicCatalog.ORDERS_RESERVATION_RESULTS, 0, offset++);
        processor.process(new Record<>(OrderDriver.bytes("acme:c-1"),
                serdes.results().serializer().serialize(TopicCatalog.ORDERS_RESERVATION_RESULTS, result),
                OrderDriver.START.toEpochMilli()));
    }

    /** What was forwarded since the last call, each as a short description. */
    private List<String> forwarded() {
        List<String> described = context.forwarded().stream().map(forward -> describe(forward.record().value()))
                .toList();
        context.resetForwards();
        return described;
    }

    private static String describe(Object value) {
        if (value instanceof OrderEvent event) {
            return "event " + event.getStatus() + " " + event.getOrderId();
        }
        if (value instanceof InventoryReservation step) {
            return "reserve " + step.getAction() + " " + step.getSku() + " " + step.getOrderId();
        }
        if (value instanceof PaymentRequest payment) {
            return "payment " + payment.getOrderId();
        }
        return String.valueOf(value);
    }
}
