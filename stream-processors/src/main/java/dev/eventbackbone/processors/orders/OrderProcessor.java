package dev.eventbackbone.processors.orders;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.InventoryReservation;
import dev.eventbackbone.contracts.events.NotificationPriority;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.OrderCommandType;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.OrderStatus;
import dev.eventbackbone.contracts.events.PaymentRequest;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.contracts.events.ReservationAction;
import dev.eventbackbone.contracts.events.ReservationResult;
import dev.eventbackbone.service.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order state machine, one task per partition of {@code orders.commands} and
 * {@code orders.reservation-results} (both keyed {@code tenant:customerId}). Every command gets
 * exactly one answer on {@code orders.events}: the transitions it causes, or a REJECTED event that
 * says why it could not apply. While an order's stock is being reserved, the customer's later
 * commands wait in the customer's queue and are applied, in order, once the answers are in.
 */
final class OrderProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(OrderProcessor.class);
    private static final int DEADLINE_DIGITS = 19;
    private static final Set<OrderStatus> CANCELLABLE = EnumSet.of(OrderStatus.INVENTORY_RESERVED,
            OrderStatus.PAYMENT_REQUESTED, OrderStatus.PAID);

    private final OrderSettings settings;
    private final OrderSerdes serdes;
    private final OrderValidation validation;
    private final long dedupeMillis;

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, OrderState> orders;
    private KeyValueStore<String, CustomerState> customers;
    private WindowStore<String, Long> commandIds;
    private KeyValueStore<String, String> deadlines;
    private KeyValueStore<Integer, Long> commandsRead;

    OrderProcessor(OrderSettings settings, OrderSerdes serdes) {
        this.settings = settings;
        this.serdes = serdes;
        this.validation = new OrderValidation(settings);
        this.dedupeMillis = settings.getCommandDedupeWindow().toMilliseconds();
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.orders = context.getStateStore(OrderTopology.ORDERS_STORE);
        this.customers = context.getStateStore(OrderTopology.CUSTOMERS_STORE);
        this.commandIds = context.getStateStore(OrderTopology.COMMANDS_STORE);
        this.deadlines = context.getStateStore(OrderTopology.DEADLINES_STORE);
        this.commandsRead = context.getStateStore(OrderTopology.APPLIED_STORE);
        context.schedule(settings.getTimeoutCheckInterval().toJavaDuration(), PunctuationType.WALL_CLOCK_TIME,
                this::expirePayments);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(meta -> meta.topic()).orElse(TopicCatalog.ORDERS_COMMANDS);
        if (TopicCatalog.ORDERS_RESERVATION_RESULTS.equals(topic)) {
            onResult(record);
        } else {
            onCommand(record);
        }
    }

    private void onCommand(Record<byte[], byte[]> record) {
        handleCommand(record);
        // Last, so a query that sees this offset read also sees everything the command did; not after a
        // failure, which is retried.
        context.recordMetadata().ifPresent(meta -> commandsRead.put(meta.partition(), meta.offset()));
    }

    private void handleCommand(Record<byte[], byte[]> record) {
        OrderCommand command;
        try {
            command = decodeCommand(record.value());
        } catch (SerializationException e) {
            deadLetter(record, null, null, DeadLetters.reasonOf(e), e.getMessage(), null, e);
            return;
        }
        if (blank(command.getTenantId()) || blank(command.getCustomerId()) || blank(command.getCommandId())) {
            deadLetter(record, command.getEventId(), command.getTenantId(), RejectionReason.INVALID_VALUE,
                    "tenantId, customerId and commandId are required; the gateway fills tenantId, the sender the rest.",
                    blank(command.getCustomerId()) ? "customerId" : "commandId", null);
            return;
        }
        String customerKey = command.getTenantId() + ":" + command.getCustomerId();
        String commandKey = customerKey + ":" + command.getCommandId();
        if (seen(commandKey, record.timestamp())) {
            LOG.debug("Command {} of {} was answered before; not again", command.getCommandId(), customerKey);
            return;
        }
        commandIds.put(commandKey, record.timestamp(), record.timestamp());
        CustomerState customer = customer(customerKey);
        if (customer.awaitingOrderId != null) {
            CustomerState.Queued queued = new CustomerState.Queued();
            queued.command = record.value();
            queued.timestamp = record.timestamp();
            context.recordMetadata().ifPresent(meta -> {
                queued.partition = meta.partition();
                queued.offset = meta.offset();
            });
            customer.queue.add(queued);
            customers.put(customerKey, customer);
            return;
        }
        apply(command, customer, customerKey, record.timestamp());
        drain(customer, customerKey);
    }

    /** Applies one command to the customer's orders. */
    private void apply(OrderCommand command, CustomerState customer, String customerKey, long timestamp) {
        switch (command.getType()) {
            case PLACE -> place(command, customer, customerKey, timestamp);
            case CANCEL -> onOrder(command, customerKey, order -> cancel(command, order, customer));
            case CONFIRM_PAYMENT -> onOrder(command, customerKey, order -> confirm(command, order));
            case DECLINE_PAYMENT -> onOrder(command, customerKey, order -> decline(command, order, customer));
            case COMPLETE -> onOrder(command, customerKey, order -> complete(command, order));
            default -> refuse(command, null, "unknown_command_type: this processor knows PLACE, CANCEL,"
                    + " CONFIRM_PAYMENT, DECLINE_PAYMENT and COMPLETE");
        }
        customers.put(customerKey, customer);
    }

    private void place(OrderCommand command, CustomerState customer, String customerKey, long timestamp) {
        String orderId = blank(command.getOrderId()) ? command.getEventId() : command.getOrderId();
        String orderKey = customerKey + ":" + orderId;
        OrderState existing = orders.get(orderKey);
        if (existing != null) {
            refuse(command, existing, "duplicate_order: order " + orderId + " was placed before and is "
                    + existing.status);
            return;
        }
        OrderState order = new OrderState();
        order.tenantId = command.getTenantId();
        order.customerId = command.getCustomerId();
        order.orderId = orderId;
        order.currency = command.getCurrency();
        order.placedAt = now();
        order.placeEventId = command.getEventId();
        order.traceparent = command.getTraceparent();
        command.getItems().forEach(item -> order.items.add(OrderState.Line.of(item)));
        order.metadata.putAll(command.getMetadata());
        String invalid = validation.problem(command, customer, now());
        if (invalid == null) {
            order.subtotalMinor = validation.subtotal(command);
            order.totalMinor = order.subtotalMinor;
        }
        transition(order, command, OrderStatus.ACCEPTED, null);
        if (invalid != null) {
            transition(order, command, OrderStatus.REJECTED, invalid);
            orders.put(orderKey, order);
            return;
        }
        transition(order, command, OrderStatus.VALIDATED, null);
        // Kept only where a limit needs it, so a customer's state does not grow with every order.
        if (settings.limitsOf(order.tenantId).getSpendingLimits().containsKey(order.currency)) {
            CustomerState.Spend spend = new CustomerState.Spend();
            spend.orderId = orderId;
            spend.at = now();
            spend.currency = order.currency;
            spend.amountMinor = order.totalMinor;
            customer.spending.add(spend);
        }
        order.unitsBySku().forEach((sku, units) -> {
            order.awaitingSkus.add(sku);
            reservation(order, sku, units, ReservationAction.RESERVE);
        });
        customer.awaitingOrderId = orderId;
        orders.put(orderKey, order);
    }

    private void cancel(OrderCommand command, OrderState order, CustomerState customer) {
        if (!CANCELLABLE.contains(order.status)) {
            refuse(command, order, "not_cancellable: order " + order.orderId + " is " + order.status);
            return;
        }
        release(order);
        forgetSpend(customer, order.orderId);
        transition(order, command, OrderStatus.CANCELLED, blank(command.getReason()) ? "cancelled" : command.getReason());
    }

    private void confirm(OrderCommand command, OrderState order) {
        if (order.status != OrderStatus.PAYMENT_REQUESTED) {
            refuse(command, order, "payment_not_requested: order " + order.orderId + " is " + order.status
                    + (order.status == OrderStatus.CANCELLED ? "; refund the payment" : ""));
            return;
        }
        closeDeadline(order);
        transition(order, command, OrderStatus.PAID, null);
        notifyPaid(order);
    }

    private void decline(OrderCommand command, OrderState order, CustomerState customer) {
        if (order.status != OrderStatus.PAYMENT_REQUESTED) {
            refuse(command, order, "payment_not_requested: order " + order.orderId + " is " + order.status);
            return;
        }
        closeDeadline(order);
        release(order);
        forgetSpend(customer, order.orderId);
        transition(order, command, OrderStatus.PAYMENT_FAILED,
                blank(command.getReason()) ? "payment_declined" : command.getReason());
    }

    private void complete(OrderCommand command, OrderState order) {
        if (order.status != OrderStatus.PAID) {
            refuse(command, order, "not_paid: order " + order.orderId + " is " + order.status
                    + "; only a paid order completes");
            return;
        }
        order.reservedSkus.forEach(sku -> reservation(order, sku, order.unitsBySku().get(sku),
                ReservationAction.COMMIT));
        order.reservedSkus.clear();
        transition(order, command, OrderStatus.COMPLETED, null);
    }

    /** Runs the step on the command's order, or refuses the command when the order is unknown. */
    private void onOrder(OrderCommand command, String customerKey, Consumer<OrderState> step) {
        if (blank(command.getOrderId())) {
            refuse(command, null, "missing_order_id: " + command.getType() + " names the order it is about");
            return;
        }
        String orderKey = customerKey + ":" + command.getOrderId();
        OrderState order = orders.get(orderKey);
        if (order == null) {
            refuse(command, null, "unknown_order: customer " + command.getCustomerId() + " has no order "
                    + command.getOrderId());
            return;
        }
        step.accept(order);
        orders.put(orderKey, order);
    }

    private void onResult(Record<byte[], byte[]> record) {
        ReservationResult result;
        try {
            if (record.value() == null) {
                throw new SerializationException("The record has no value.");
            }
            result = serdes.results().deserializer().deserialize(TopicCatalog.ORDERS_RESERVATION_RESULTS,
                    record.value());
        } catch (SerializationException e) {
            deadLetter(record, null, null, DeadLetters.reasonOf(e), e.getMessage(), null, e);
            return;
        }
        String customerKey = result.getTenantId() + ":" + result.getCustomerId();
        String orderKey = customerKey + ":" + result.getOrderId();
        OrderState order = orders.get(orderKey);
        if (order == null || !order.awaitingSkus.remove(result.getSku())) {
            LOG.warn("Reservation result for {} sku {} matches no awaited line; ignored", orderKey, result.getSku());
            return;
        }
        if (result.getReserved()) {
            order.reservedSkus.add(result.getSku());
        } else if (order.unavailableReason == null) {
            order.unavailableReason = result.getReason();
        }
        CustomerState customer = customer(customerKey);
        if (order.awaitingSkus.isEmpty()) {
            settleReservation(order, customer);
            if (order.orderId.equals(customer.awaitingOrderId)) {
                customer.awaitingOrderId = null;
            }
        }
        orders.put(orderKey, order);
        customers.put(customerKey, customer);
        drain(customer, customerKey);
    }

    /** Every line has answered: ask for payment, or give back what was reserved. */
    private void settleReservation(OrderState order, CustomerState customer) {
        OrderCommand cause = placeCommandOf(order);
        if (order.unavailableReason == null) {
            transition(order, cause, OrderStatus.INVENTORY_RESERVED, null);
            order.paymentDeadline = now() + settings.getPaymentTimeout().toMilliseconds();
            deadlines.put(deadlineKey(order), order.tenantId + ":" + order.customerId + ":" + order.orderId);
            transition(order, cause, OrderStatus.PAYMENT_REQUESTED, null);
            PaymentRequest request = PaymentRequest.newBuilder()
                    .setEventId(order.placeEventId + ":payment")
                    .setTenantId(order.tenantId)
                    .setCustomerId(order.customerId)
                    .setOrderId(order.orderId)
                    .setAmountMinor(order.totalMinor)
                    .setCurrency(order.currency)
                    .setRequestedAt(Instant.ofEpochMilli(now()))
                    .setExpiresAt(Instant.ofEpochMilli(order.paymentDeadline))
                    .setTraceparent(order.traceparent)
                    .build();
            context.forward(new Record<Object, Object>(customerKeyOf(order), request, now(), headers(order)),
                    OrderTopology.PAYMENTS_SINK);
        } else {
            release(order);
            forgetSpend(customer, order.orderId);
            transition(order, cause, OrderStatus.INVENTORY_UNAVAILABLE, order.unavailableReason);
        }
    }

    /** Applies the queued commands in order, until one starts a reservation that must be waited for. */
    private void drain(CustomerState customer, String customerKey) {
        while (customer.awaitingOrderId == null && !customer.queue.isEmpty()) {
            CustomerState.Queued queued = customer.queue.remove(0);
            apply(decodeCommand(queued.command), customer, customerKey, queued.timestamp);
        }
        if (customer.isEmpty()) {
            customers.delete(customerKey);
        } else {
            customers.put(customerKey, customer);
        }
    }

    /** Cancels every order whose payment request expired (wall-clock time), releasing its stock. */
    private void expirePayments(long now) {
        List<KeyValue<String, String>> expired = new ArrayList<>();
        try (KeyValueIterator<String, String> due = deadlines.range(deadlineKey(0, ""), deadlineKey(now + 1, ""))) {
            due.forEachRemaining(expired::add);
        }
        for (KeyValue<String, String> entry : expired) {
            deadlines.delete(entry.key);
            OrderState order = orders.get(entry.value);
            if (order == null || order.status != OrderStatus.PAYMENT_REQUESTED) {
                continue;
            }
            String customerKey = customerKeyOf(order);
            CustomerState customer = customer(customerKey);
            if (!customer.queue.isEmpty()) {
                // A confirmation may be waiting in the queue, accepted before the deadline: not yet.
                deadlines.put(entry.key, entry.value);
                continue;
            }
            order.paymentDeadline = 0;
            release(order);
            forgetSpend(customer, order.orderId);
            OrderCommand timeout = OrderCommand.newBuilder(placeCommandOf(order))
                    .setCommandId("payment-timeout:" + order.orderId)
                    .setEventId(order.placeEventId + ":timeout")
                    .build();
            transition(order, timeout, OrderStatus.CANCELLED, "payment_timeout");
            orders.put(entry.value, order);
            if (customer.isEmpty()) {
                customers.delete(customerKey);
            } else {
                customers.put(customerKey, customer);
            }
        }
    }

    /** Records the transition in the order and writes its event. */
    private void transition(OrderState order, OrderCommand cause, OrderStatus status, String reason) {
        OrderStatus previous = order.status;
        order.status = status;
        order.sequence++;
        OrderState.Step step = new OrderState.Step();
        step.sequence = order.sequence;
        step.status = status;
        step.at = now();
        step.commandId = cause.getCommandId();
        step.reason = reason;
        order.history.add(step);
        emit(order, cause, status, previous, reason, false);
    }

    /** Answers a command that cannot apply; the order, if any, is left as it is. */
    private void refuse(OrderCommand command, OrderState order, String reason) {
        if (order == null) {
            order = new OrderState();
            order.tenantId = command.getTenantId();
            order.customerId = command.getCustomerId();
            order.orderId = command.getOrderId() == null ? "" : command.getOrderId();
            order.currency = command.getCurrency();
        }
        emit(order, command, OrderStatus.REJECTED, order.status, reason, true);
    }

    private void emit(OrderState order, OrderCommand cause, OrderStatus status, OrderStatus previous, String reason,
                      boolean refused) {
        OrderEvent event = OrderEvent.newBuilder()
                .setEventId(cause.getEventId() + ":" + (refused ? "refused" : order.sequence))
                .setTenantId(order.tenantId)
                .setOrderId(order.orderId)
                .setCustomerId(order.customerId)
                .setCommandId(cause.getCommandId())
                .setSequence(order.sequence)
                .setStatus(status)
                .setPreviousStatus(previous)
                .setReason(reason)
                .setItems(order.items.stream().map(OrderState.Line::toItem).toList())
                .setCurrency(order.currency)
                .setSubtotalMinor(order.subtotalMinor)
                .setTotalMinor(order.totalMinor)
                .setOccurredAt(Instant.ofEpochMilli(now()))
                .setTraceparent(cause.getTraceparent())
                .setMetadata(order.metadata)
                .setCommandRefused(refused)
                .build();
        context.forward(new Record<Object, Object>(customerKeyOf(order), event, now(), headers(order)),
                OrderTopology.EVENTS_SINK);
    }

    private void reservation(OrderState order, String sku, int units, ReservationAction action) {
        InventoryReservation step = InventoryReservation.newBuilder()
                .setTenantId(order.tenantId)
                .setCustomerId(order.customerId)
                .setOrderId(order.orderId)
                .setSku(sku)
                .setQuantity(units)
                .setAction(action)
                .setRequestedAt(Instant.ofEpochMilli(now()))
                .build();
        context.forward(new Record<Object, Object>(order.tenantId + ":" + sku, step, now(), headers(order)),
                OrderTopology.RESERVATIONS_SINK);
    }

    private void release(OrderState order) {
        Map<String, Integer> units = order.unitsBySku();
        order.reservedSkus.forEach(sku -> reservation(order, sku, units.get(sku), ReservationAction.RELEASE));
        order.reservedSkus.clear();
        closeDeadline(order);
    }

    private void closeDeadline(OrderState order) {
        if (order.paymentDeadline > 0) {
            deadlines.delete(deadlineKey(order));
            order.paymentDeadline = 0;
        }
    }

    private void notifyPaid(OrderState order) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("orderId", order.orderId);
        data.put("totalMinor", Long.toString(order.totalMinor));
        data.put("currency", order.currency);
        NotificationRequest request = NotificationRequest.newBuilder()
                .setEventId(order.placeEventId + ":paid")
                .setTenantId(order.tenantId)
                .setSource(OrderTopology.COMPONENT)
                .setReceivedAt(Instant.ofEpochMilli(now()))
                .setTraceparent(order.traceparent)
                .setRecipientId(order.customerId)
                .setTemplateId("order-paid")
                .setPriority(NotificationPriority.HIGH)
                .setData(data)
                .build();
        context.forward(new Record<Object, Object>(customerKeyOf(order), request, now(), headers(order)),
                OrderTopology.NOTIFICATIONS_SINK);
    }

    private static void forgetSpend(CustomerState customer, String orderId) {
        customer.spending.removeIf(spend -> spend.orderId.equals(orderId));
    }

    /** The PLACE command that started the order, as far as its events need it: ids and trace. */
    private static OrderCommand placeCommandOf(OrderState order) {
        String placeCommandId = order.history.isEmpty() ? order.orderId : order.history.get(0).commandId;
        return OrderCommand.newBuilder()
                .setEventId(order.placeEventId)
                .setTenantId(order.tenantId)
                .setSource(OrderTopology.COMPONENT)
                .setReceivedAt(Instant.ofEpochMilli(order.placedAt))
                .setTraceparent(order.traceparent)
                .setCommandId(placeCommandId)
                .setType(OrderCommandType.PLACE)
                .setCustomerId(order.customerId)
                .setOrderId(order.orderId)
                .build();
    }

    private CustomerState customer(String customerKey) {
        CustomerState customer = customers.get(customerKey);
        return customer == null ? new CustomerState() : customer;
    }

    private boolean seen(String commandKey, long timestamp) {
        try (WindowStoreIterator<Long> earlier = commandIds.fetch(commandKey, Math.max(0, timestamp - dedupeMillis),
                timestamp + dedupeMillis)) {
            return earlier.hasNext();
        }
    }

    private OrderCommand decodeCommand(byte[] value) {
        if (value == null) {
            throw new SerializationException("The record has no value (a tombstone); orders.commands takes commands.");
        }
        return serdes.commands().deserializer().deserialize(TopicCatalog.ORDERS_COMMANDS, value);
    }


    private void deadLetter(Record<byte[], byte[]> record, String eventId, String tenantId, RejectionReason reason,
                            String message, String fieldPath, Throwable error) {
        LOG.warn("Dead-lettered an order record: {}", message);
        var rejection = DeadLetters.rejection(record, context.recordMetadata().orElse(null), eventId, tenantId,
                "orders", OrderTopology.COMPONENT, reason, message, fieldPath, error, now());
        context.forward(new Record<Object, Object>(record.key(), rejection, record.timestamp()),
                OrderTopology.DLQ_SINK);
    }

    private long now() {
        return context.currentSystemTimeMs();
    }

    private static String customerKeyOf(OrderState order) {
        return order.tenantId + ":" + order.customerId;
    }

    private static String deadlineKey(OrderState order) {
        return deadlineKey(order.paymentDeadline, customerKeyOf(order) + ":" + order.orderId);
    }

    /** Fixed-width digits first, so the store's byte order is the deadlines' order. */
    private static String deadlineKey(long deadline, String orderKey) {
        String digits = Long.toString(deadline);
        return "0".repeat(DEADLINE_DIGITS - digits.length()) + digits + '|' + orderKey;
    }

    private static Headers headers(OrderState order) {
        Headers headers = new RecordHeaders();
        headers.add("tenant", order.tenantId.getBytes(StandardCharsets.UTF_8));
        if (order.traceparent != null) {
            headers.add("traceparent", order.traceparent.getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
