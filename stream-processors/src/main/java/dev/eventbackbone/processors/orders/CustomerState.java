package dev.eventbackbone.processors.orders;

import java.util.ArrayList;
import java.util.List;

/** What the order topology keeps per customer (store {@value OrderTopology#CUSTOMERS_STORE}, key tenant:customer). */
final class CustomerState {

    /**
     * The order whose stock reservation is under way. Until its answers are in, the customer's next
     * commands wait in {@link #queue}, so they apply in the order they were accepted.
     */
    String awaitingOrderId;
    List<Queued> queue = new ArrayList<>();
    /** Totals of the customer's live orders, for the spending limit. */
    List<Spend> spending = new ArrayList<>();

    /** A command waiting for the reservation before it: its Avro bytes as received, and where it was read. */
    static final class Queued {
        byte[] command;
        long timestamp;
        int partition;
        long offset;
    }

    static final class Spend {
        String orderId;
        long at;
        String currency;
        long amountMinor;
    }

    boolean isEmpty() {
        return awaitingOrderId == null && queue.isEmpty() && spending.isEmpty();
    }
}
