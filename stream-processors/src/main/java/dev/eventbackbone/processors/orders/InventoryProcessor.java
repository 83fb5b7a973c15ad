package dev.eventbackbone.processors.orders;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.InventoryReservation;
import dev.eventbackbone.contracts.events.InventoryUpdate;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.contracts.events.ReservationResult;
import dev.eventbackbone.service.DeadLetters;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SKU's stock, one task per partition of {@code inventory.updates} and {@code inventory.reservations}
 * (both keyed {@code tenant:sku}). Updates and saga steps of one SKU are applied one after another in
 * one task, and a reservation succeeds only while enough units are available: a SKU is never oversold,
 * however many orders race for it.
 */
final class InventoryProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(InventoryProcessor.class);

    private final OrderSerdes serdes;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, Stock> stock;
    private KeyValueStore<String, Integer> reservations;

    InventoryProcessor(OrderSerdes serdes) {
        this.serdes = serdes;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.stock = context.getStateStore(OrderTopology.STOCK_STORE);
        this.reservations = context.getStateStore(OrderTopology.RESERVATIONS_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(meta -> meta.topic()).orElse(TopicCatalog.INVENTORY_UPDATES);
        try {
            if (record.value() == null) {
                throw new SerializationException("The record has no value (a tombstone).");
            }
            if (TopicCatalog.INVENTORY_RESERVATIONS.equals(topic)) {
                onStep(serdes.reservations().deserializer().deserialize(topic, record.value()), record);
            } else {
                onUpdate(serdes.updates().deserializer().deserialize(topic, record.value()), record);
            }
        } catch (SerializationException e) {
            deadLetter(record, null, null, DeadLetters.reasonOf(e), e.getMessage(), null, e);
        }
    }

    private void onUpdate(InventoryUpdate update, Record<byte[], byte[]> record) {
        boolean sets = update.getAvailable() != null;
        boolean adjusts = update.getDelta() != null;
        if (sets == adjusts) {
            deadLetter(record, update.getEventId(), update.getTenantId(), RejectionReason.INVALID_VALUE,
                    "Give exactly one of available (sets the level) and delta (adjusts it); this update gives "
                            + (sets ? "both" : "neither") + ".", sets ? "delta" : "available", null);
            return;
        }
        if (sets && update.getAvailable() < 0) {
            deadLetter(record, update.getEventId(), update.getTenantId(), RejectionReason.INVALID_VALUE,
                    "available is " + update.getAvailable() + "; a stock level is 0 or more.", "available", null);
            return;
        }
        String key = update.getTenantId() + ":" + update.getSku();
        Stock current = load(key);
        current.available = sets ? update.getAvailable() : Math.max(0, current.available + update.getDelta());
        stock.put(key, current);
    }

    private void onStep(InventoryReservation step, Record<byte[], byte[]> record) {
        String key = step.getTenantId() + ":" + step.getSku();
        // Order ids are the customer's own: two customers may both have an order "1001".
        String reservationKey = key + '\u0000' + step.getCustomerId() + '\u0000' + step.getOrderId();
        Stock current = load(key);
        switch (step.getAction()) {
            case RESERVE -> reserve(current, reservationKey, step);
            case RELEASE -> {
                Integer units = reservations.delete(reservationKey);
                if (units != null) {
                    current.reserved -= units;
                    current.available += units;
                }
            }
            case COMMIT -> {
                Integer units = reservations.delete(reservationKey);
                if (units != null) {
                    current.reserved -= units;
                }
            }
            default -> {
                deadLetter(record, step.getOrderId(), step.getTenantId(), RejectionReason.INVALID_VALUE,
                        "Unknown reservation action " + step.getAction() + ".", "action", null);
                return;
            }
        }
        stock.put(key, current);
    }

    private void reserve(Stock current, String reservationKey, InventoryReservation step) {
        boolean reserved;
        String reason = null;
        if (reservations.get(reservationKey) != null) {
            reserved = true;
        } else if (current.available >= step.getQuantity()) {
            current.available -= step.getQuantity();
            current.reserved += step.getQuantity();
            reservations.put(reservationKey, step.getQuantity());
            reserved = true;
        } else {
            reserved = false;
            reason = "out_of_stock: " + step.getQuantity() + " of sku " + step.getSku() + " asked, "
                    + current.available + " available";
        }
        ReservationResult result = ReservationResult.newBuilder()
                .setTenantId(step.getTenantId())
                .setCustomerId(step.getCustomerId())
                .setOrderId(step.getOrderId())
                .setSku(step.getSku())
                .setQuantity(step.getQuantity())
                .setReserved(reserved)
                .setAvailable(current.available)
                .setReason(reason)
                .build();
        context.forward(new Record<Object, Object>(step.getTenantId() + ":" + step.getCustomerId(), result,
                context.currentSystemTimeMs()), OrderTopology.RESULTS_SINK);
    }

    private Stock load(String key) {
        Stock current = stock.get(key);
        return current == null ? new Stock() : current;
    }

    private void deadLetter(Record<byte[], byte[]> record, String eventId, String tenantId, RejectionReason reason,
                            String message, String fieldPath, Throwable error) {
        LOG.warn("Dead-lettered an inventory record: {}", message);
        var rejection = DeadLetters.rejection(record, context.recordMetadata().orElse(null), eventId, tenantId,
                "inventory", OrderTopology.COMPONENT, reason, message, fieldPath, error,
                context.currentSystemTimeMs());
        context.forward(new Record<Object, Object>(record.key(), rejection, record.timestamp()),
                OrderTopology.DLQ_SINK);
    }
}
