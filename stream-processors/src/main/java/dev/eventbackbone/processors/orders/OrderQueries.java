package dev.eventbackbone.processors.orders;

import dev.eventbackbone.service.LocalStores;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads the order topology's stores on this instance with interactive queries, one partition at
 * a time: the partition the key is in, which routing made sure is held here.
 *
 * <p>Reads go through {@link LocalStores} (IQv1: an IQv2 query can deadlock with the stream thread).
 */
final class OrderQueries {

    /** A query this instance could not answer from the partition (not held here, or not ready). */
    static final class NotHere extends RuntimeException {
        NotHere(String message) {
            super(message);
        }
    }

    private final Supplier<KafkaStreams> streams;
    private final boolean activeOnly;

    OrderQueries(Supplier<KafkaStreams> streams) {
        this(streams, false);
    }

    private OrderQueries(Supplier<KafkaStreams> streams, boolean activeOnly) {
        this.streams = streams;
        this.activeOnly = activeOnly;
    }

    /** The same reads from active tasks only: a standby may show one store ahead of another. */
    OrderQueries activeOnly() {
        return new OrderQueries(streams, true);
    }

    Optional<OrderState> order(int partition, String tenant, String customer, String orderId) {
        return Optional.ofNullable(this.<String, OrderState>store(OrderTopology.ORDERS_STORE, partition)
                .get(tenant + ":" + customer + ":" + orderId));
    }

    /** The customer's orders, oldest first. */
    List<OrderState> orders(int partition, String tenant, String customer) {
        String prefix = tenant + ":" + customer + ":";
        // The upper bound is the prefix with its ':' raised by one: every key starting with the prefix sorts below.
        String upper = prefix.substring(0, prefix.length() - 1) + ';';
        List<OrderState> orders = new ArrayList<>();
        try (KeyValueIterator<String, OrderState> range = this.<String, OrderState>store(OrderTopology.ORDERS_STORE, partition)
                .range(prefix, upper)) {
            while (range.hasNext()) {
                KeyValue<String, OrderState> entry = range.next();
                // A customer id may hold ':'; the prefix alone could match another customer's orders.
                if (entry.key.startsWith(prefix) && customer.equals(entry.value.customerId)) {
                    orders.add(entry.value);
                }
            }
        }
        orders.sort((a, b) -> Long.compare(a.placedAt, b.placedAt));
        return orders;
    }

    Optional<CustomerState> customer(int partition, String tenant, String customer) {
        return Optional.ofNullable(this.<String, CustomerState>store(OrderTopology.CUSTOMERS_STORE, partition)
                .get(tenant + ":" + customer));
    }

    Optional<Stock> stock(int partition, String tenant, String sku) {
        return Optional.ofNullable(this.<String, Stock>store(OrderTopology.STOCK_STORE, partition).get(tenant + ":" + sku));
    }

    /** The offset of the last command read from the partition of orders.commands, or -1. */
    long commandsRead(int partition) {
        Long offset = this.<Integer, Long>store(OrderTopology.APPLIED_STORE, partition).get(partition);
        return offset == null ? -1 : offset;
    }

    private <K, V> ReadOnlyKeyValueStore<K, V> store(String store, int partition) {
        try {
            return LocalStores.keyValue(streams.get(), store, partition, !activeOnly);
        } catch (InvalidStateStoreException e) {
            throw new NotHere("partition " + partition + " of " + store + " is not held here: " + e.getMessage());
        }
    }
}
