package dev.eventbackbone.processors.orders;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Reads the order topology's stores on this instance with interactive queries (IQv2), one
 * partition at a time: the partition the key is in, which routing made sure is held here.
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
        return Optional.ofNullable(key(OrderTopology.ORDERS_STORE, partition, tenant + ":" + customer + ":" + orderId));
    }

    /** The customer's orders, oldest first. */
    List<OrderState> orders(int partition, String tenant, String customer) {
        String prefix = tenant + ":" + customer + ":";
        // The upper bound is the prefix with its ':' raised by one: every key starting with the prefix sorts below.
        String upper = prefix.substring(0, prefix.length() - 1) + ';';
        QueryResult<KeyValueIterator<String, OrderState>> result = partitionResult(OrderTopology.ORDERS_STORE,
                partition, RangeQuery.<String, OrderState>withRange(prefix, upper));
        List<OrderState> orders = new ArrayList<>();
        try (KeyValueIterator<String, OrderState> range = result.getResult()) {
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
        return Optional.ofNullable(key(OrderTopology.CUSTOMERS_STORE, partition, tenant + ":" + customer));
    }

    Optional<Stock> stock(int partition, String tenant, String sku) {
        return Optional.ofNullable(key(OrderTopology.STOCK_STORE, partition, tenant + ":" + sku));
    }

    /** The offset of the last command read from the partition of orders.commands, or -1. */
    long commandsRead(int partition) {
        Long offset = key(OrderTopology.APPLIED_STORE, partition, partition);
        return offset == null ? -1 : offset;
    }

    private <K, V> V key(String store, int partition, K key) {
        return partitionResult(store, partition, KeyQuery.<K, V>withKey(key)).getResult();
    }

    private <R> QueryResult<R> partitionResult(String store, int partition,
                                               Query<R> query) {
        StateQueryRequest<R> request = StateQueryRequest.inStore(store).withQuery(query).withPartitions(Set.of(partition));
        StateQueryResult<R> answer = streams.get().query(activeOnly ? request.requireActive() : request);
        QueryResult<R> result = answer.getPartitionResults().get(partition);
        if (result == null || result.isFailure()) {
            throw new NotHere(result == null ? "partition " + partition + " of " + store + " is not held here"
                    : result.getFailureReason() + ": " + result.getFailureMessage());
        }
        return result;
    }
}
