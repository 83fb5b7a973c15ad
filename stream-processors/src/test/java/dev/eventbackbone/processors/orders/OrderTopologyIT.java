package dev.eventbackbone.processors.orders;

import static dev.eventbackbone.processors.orders.OrderDriver.command;
import static dev.eventbackbone.processors.orders.OrderDriver.item;
import static dev.eventbackbone.processors.orders.OrderDriver.place;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.OrderCommandType;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.OrderStatus;
import dev.eventbackbone.contracts.events.PaymentRequest;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.registry.RegistryExtension;
import io.dropwizard.util.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every transition, refusal, saga compensation and the payment timeout, through the real topology. */
@ExtendWith(EmbeddedKafkaExtension.class)
class OrderTopologyIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    static OrderSerdes serdes;

    @TempDir
    Path stateDir;

    private final List<OrderDriver> drivers = new ArrayList<>();

    @BeforeAll
    static void serdes() {
        serdes = OrderSerdes.on(SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", registry.url())));
    }

    @AfterEach
    void closeDrivers() {
        drivers.forEach(OrderDriver::close);
    }

    private OrderDriver driver(Consumer<OrderSettings> adjust) {
        OrderSettings settings = new OrderSettings();
        adjust.accept(settings);
        OrderDriver driver = new OrderDriver(settings, serdes, stateDir.resolve("d" + drivers.size()));
        drivers.add(driver);
        return driver;
    }

    private OrderDriver driver() {
        return driver(settings -> { });
    }

    private static List<OrderStatus> statuses(List<OrderEvent> events) {
        return events.stream().map(OrderEvent::getStatus).toList();
    }

    @Test
    void anOrderIsReservedPaidAndCompletedWithOneEventPerStep() {
        OrderDriver driver = driver();
        driver.stock("a", 10);
        OrderCommand place = place("o-1", item("a", 2, 1_250), item("a", 1, 1_250)).build();

        List<OrderEvent> placed = driver.answer(place);

        assertThat(statuses(placed)).containsExactly(OrderStatus.ACCEPTED, OrderStatus.VALIDATED,
                OrderStatus.INVENTORY_RESERVED, OrderStatus.PAYMENT_REQUESTED);
        assertThat(placed).extracting(OrderEvent::getSequence).containsExactly(1L, 2L, 3L, 4L);
        assertThat(placed).allSatisfy(event -> {
            assertThat(event.getCommandId()).isEqualTo(place.getCommandId());
            assertThat(event.getOrderId()).isEqualTo("o-1");
            assertThat(event.getTotalMinor()).isEqualTo(3_750);
            assertThat(event.getCommandRefused()).isFalse();
        });
        assertThat(placed.get(1).getPreviousStatus()).isEqualTo(OrderStatus.ACCEPTED);
        assertThat(driver.stockOf("a")).containsExactly(7, 3);
        PaymentRequest payment = driver.payments.readValue();
        assertThat(payment.getAmountMinor()).isEqualTo(3_750);
        assertThat(payment.getCurrency()).isEqualTo("EUR");
        assertThat(payment.getExpiresAt()).isEqualTo(OrderDriver.START.plus(java.time.Duration.ofMinutes(15)));

        assertThat(statuses(driver.answer(command(OrderCommandType.CONFIRM_PAYMENT, "o-1").build())))
                .containsExactly(OrderStatus.PAID);
        assertThat(driver.notifications.readValue().getData()).containsEntry("orderId", "o-1");
        assertThat(statuses(driver.answer(command(OrderCommandType.COMPLETE, "o-1").build())))
                .containsExactly(OrderStatus.COMPLETED);
        assertThat(driver.stockOf("a")).as("the goods left: committed, not released").containsExactly(7, 0);
    }

    @Test
    void anOrderWithOneLineShortReleasesTheLinesItHadReserved() {
        OrderDriver driver = driver();
        driver.stock("a", 5);
        driver.stock("b", 1);

        List<OrderEvent> placed = driver.answer(place("o-1", item("a", 2, 100), item("b", 2, 100)).build());

        assertThat(statuses(placed)).containsExactly(OrderStatus.ACCEPTED, OrderStatus.VALIDATED,
                OrderStatus.INVENTORY_UNAVAILABLE);
        assertThat(placed.get(2).getReason()).startsWith("out_of_stock: 2 of sku b asked, 1 available");
        assertThat(driver.stockOf("a")).containsExactly(5, 0);
        assertThat(driver.stockOf("b")).containsExactly(1, 0);
        assertThat(driver.payments.isEmpty()).isTrue();
    }

    @Test
    void twoCustomersWithTheSameOrderIdShareNoReservation() {
        OrderDriver driver = driver();
        driver.stock("a", 1);

        driver.answer(place("1001", item("a", 1, 100)).build());
        List<OrderEvent> other = driver.answer(place("1001", item("a", 1, 100)).setCustomerId("c-2").build());
        driver.answer(command(OrderCommandType.CANCEL, "1001").setCustomerId("c-2").build());

        assertThat(statuses(other)).endsWith(OrderStatus.INVENTORY_UNAVAILABLE);
        assertThat(driver.stockOf("a")).as("c-1's unit stays reserved for c-1").containsExactly(0, 1);
    }

    @Test
    void cancellingOrDecliningReleasesTheStock() {
        OrderDriver driver = driver();
        driver.stock("a", 3);
        driver.answer(place("o-1", item("a", 1, 100)).build());
        driver.answer(place("o-2", item("a", 2, 100)).build());
        assertThat(driver.stockOf("a")).containsExactly(0, 3);

        List<OrderEvent> cancelled = driver.answer(command(OrderCommandType.CANCEL, "o-1").setReason("changed mind")
                .build());
        List<OrderEvent> declined = driver.answer(command(OrderCommandType.DECLINE_PAYMENT, "o-2").build());

        assertThat(statuses(cancelled)).containsExactly(OrderStatus.CANCELLED);
        assertThat(cancelled.get(0).getReason()).isEqualTo("changed mind");
        assertThat(statuses(declined)).containsExactly(OrderStatus.PAYMENT_FAILED);
        assertThat(driver.stockOf("a")).containsExactly(3, 0);
    }

    @Test
    void anUnansweredPaymentCancelsTheOrderAtItsDeadlineAndReleasesTheStock() {
        OrderDriver driver = driver(settings -> settings.setPaymentTimeout(Duration.minutes(5)));
        driver.stock("a", 1);
        driver.answer(place("o-1", item("a", 1, 100)).build());

        driver.driver.advanceWallClockTime(java.time.Duration.ofMinutes(4));
        assertThat(driver.events.isEmpty()).isTrue();
        driver.driver.advanceWallClockTime(java.time.Duration.ofMinutes(2));

        List<OrderEvent> timedOut = driver.events.readValuesToList();
        assertThat(statuses(timedOut)).containsExactly(OrderStatus.CANCELLED);
        assertThat(timedOut.get(0).getReason()).isEqualTo("payment_timeout");
        assertThat(timedOut.get(0).getPreviousStatus()).isEqualTo(OrderStatus.PAYMENT_REQUESTED);
        assertThat(driver.stockOf("a")).containsExactly(1, 0);
        List<OrderEvent> late = driver.answer(command(OrderCommandType.CONFIRM_PAYMENT, "o-1").build());
        assertThat(late.get(0).getCommandRefused()).isTrue();
        assertThat(late.get(0).getReason()).contains("refund");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a|0|100|EUR|invalid_quantity",
            "a|1|-5|EUR|invalid_price",
            "' '|1|100|EUR|invalid_sku",
            "a|1|100|XYZ|invalid_currency",
            "a|1|100|eur|invalid_currency"})
    void anInvalidOrderIsAcceptedThenRejectedWithTheReason(String sku, int quantity, long price, String currency,
                                                          String code) {
        OrderDriver driver = driver();
        driver.stock("a", 10);

        List<OrderEvent> events = driver.answer(place("o-1", item(sku, quantity, price)).setCurrency(currency).build());

        assertThat(statuses(events)).containsExactly(OrderStatus.ACCEPTED, OrderStatus.REJECTED);
        assertThat(events.get(1).getReason()).startsWith(code + ":");
        assertThat(driver.stockOf("a")).containsExactly(10, 0);
    }

    @Test
    void anOrderWithoutLinesIsRejected() {
        List<OrderEvent> events = driver().answer(place("o-1").build());

        assertThat(events.get(1).getReason()).startsWith("no_items:");
    }

    @Test
    void aCustomerOverTheSpendingLimitIsRejectedUntilAnOrderIsCancelled() {
        OrderDriver driver = driver(settings -> {
            OrderSettings.TenantLimits limits = new OrderSettings.TenantLimits();
            limits.setSpendingLimits(Map.of("EUR", 1_000L));
            settings.setTenants(Map.of("acme", limits));
        });
        driver.stock("a", 100);
        driver.answer(place("o-1", item("a", 8, 100)).build());

        List<OrderEvent> over = driver.answer(place("o-2", item("a", 3, 100)).build());
        driver.answer(command(OrderCommandType.CANCEL, "o-1").build());
        List<OrderEvent> after = driver.answer(place("o-3", item("a", 3, 100)).build());

        assertThat(over.get(1).getReason()).startsWith("spending_limit: EUR 800 spent");
        assertThat(statuses(after)).endsWith(OrderStatus.PAYMENT_REQUESTED);
    }

    @Test
    void aCommandThatCannotApplyIsRefusedAndTheOrderKeepsItsState() {
        OrderDriver driver = driver();
        driver.stock("a", 10);
        driver.answer(place("o-1", item("a", 1, 100)).build());
        driver.answer(command(OrderCommandType.CONFIRM_PAYMENT, "o-1").build());
        driver.answer(command(OrderCommandType.COMPLETE, "o-1").build());

        List<OrderEvent> cancelAfterComplete = driver.answer(command(OrderCommandType.CANCEL, "o-1").build());
        List<OrderEvent> placedTwice = driver.answer(place("o-1", item("a", 1, 100)).build());
        List<OrderEvent> unknown = driver.answer(command(OrderCommandType.CONFIRM_PAYMENT, "o-404").build());
        List<OrderEvent> noOrderId = driver.answer(command(OrderCommandType.COMPLETE, null).build());
        List<OrderEvent> unknownType = driver.answer(command(OrderCommandType.UNKNOWN, "o-1").build());

        assertThat(cancelAfterComplete).singleElement().satisfies(event -> {
            assertThat(event.getStatus()).isEqualTo(OrderStatus.REJECTED);
            assertThat(event.getCommandRefused()).isTrue();
            assertThat(event.getPreviousStatus()).isEqualTo(OrderStatus.COMPLETED);
            assertThat(event.getSequence()).as("no new step").isEqualTo(6);
            assertThat(event.getReason()).startsWith("not_cancellable:");
        });
        assertThat(placedTwice.get(0).getReason()).startsWith("duplicate_order:");
        assertThat(unknown.get(0).getReason()).startsWith("unknown_order:");
        assertThat(noOrderId.get(0).getReason()).startsWith("missing_order_id:");
        assertThat(unknownType.get(0).getReason()).startsWith("unknown_command_type:");
        assertThat(List.of(placedTwice, unknown, noOrderId, unknownType)).allSatisfy(answer ->
                assertThat(answer).singleElement().satisfies(event -> assertThat(event.getCommandRefused()).isTrue()));
        assertThat(driver.stockOf("a")).containsExactly(9, 0);
    }

    @Test
    void aCommandSentTwiceIsAnsweredOnce() {
        OrderDriver driver = driver();
        driver.stock("a", 10);
        OrderCommand place = place("o-1", item("a", 1, 100)).build();

        driver.send(place);
        driver.send(OrderCommand.newBuilder(place).setEventId("another-http-request").build());

        assertThat(driver.events.readValuesToList()).hasSize(4);
        assertThat(driver.stockOf("a")).containsExactly(9, 1);
    }

    @Test
    void anOrderWithoutAnIdGetsTheCommandsEventId() {
        OrderDriver driver = driver();
        driver.stock("a", 10);
        OrderCommand place = place(null, item("a", 1, 100)).build();

        assertThat(driver.answer(place)).allSatisfy(event -> assertThat(event.getOrderId())
                .isEqualTo(place.getEventId()));
    }

    @Test
    void stockIsSetAdjustedAndNeverBelowZeroAndABadUpdateIsDeadLettered() {
        OrderDriver driver = driver();
        driver.stock("a", 10);
        driver.stock("a", null, 5L);
        assertThat(driver.stockOf("a")).containsExactly(15, 0);
        driver.stock("a", null, -20L);
        assertThat(driver.stockOf("a")).containsExactly(0, 0);

        driver.stock("a", 3L, 1L);
        driver.stock("a", -1L, null);

        assertThat(driver.dlq.readValuesToList()).extracting(rejection -> rejection.getFieldPath())
                .containsExactly("delta", "available");
        assertThat(driver.stockOf("a")).containsExactly(0, 0);
    }

    @Test
    void anUndecodableCommandIsDeadLetteredNotDropped() {
        OrderDriver driver = driver();

        driver.commands.pipeInput(OrderDriver.bytes("acme:c-1"), OrderDriver.bytes("{\"type\":\"PLACE\"}"));

        assertThat(driver.dlq.readValue().getReasonCode()).isEqualTo(RejectionReason.UNDECODABLE);
        assertThat(driver.events.isEmpty()).isTrue();
    }
}
