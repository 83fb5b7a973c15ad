package dev.eventbackbone.processors.orders;

import dev.eventbackbone.contracts.events.OrderItem;
import dev.eventbackbone.contracts.events.OrderStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One order as the order topology keeps it (store {@value OrderTopology#ORDERS_STORE}, key tenant:customer:order). */
final class OrderState {

    String tenantId;
    String customerId;
    String orderId;
    OrderStatus status;
    long sequence;
    String currency;
    long subtotalMinor;
    long totalMinor;
    long placedAt;
    /** The PLACE command's event id, unique per command: the stem of the ids of what the order writes later. */
    String placeEventId;
    String traceparent;
    List<Line> items = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    /** SKUs whose reservation answer has not come back yet. */
    Set<String> awaitingSkus = new LinkedHashSet<>();
    /** SKUs reserved for this order: released on cancel, decline or timeout, committed on completion. */
    Set<String> reservedSkus = new LinkedHashSet<>();
    /** Why a line could not be reserved, the first one that failed. */
    String unavailableReason;
    /** When an unanswered payment request expires (epoch ms); 0 while none is open. */
    long paymentDeadline;
    List<Step> history = new ArrayList<>();

    /** An order line. */
    static final class Line {
        String sku;
        int quantity;
        long unitPriceMinor;
        String name;

        static Line of(OrderItem item) {
            Line line = new Line();
            line.sku = item.getSku();
            line.quantity = item.getQuantity();
            line.unitPriceMinor = item.getUnitPriceMinor();
            line.name = item.getName();
            return line;
        }

        OrderItem toItem() {
            return new OrderItem(sku, quantity, unitPriceMinor, name);
        }
    }

    /** One transition, as the query API shows the order's history. */
    static final class Step {
        long sequence;
        OrderStatus status;
        long at;
        String commandId;
        String reason;
    }

    /** Units per SKU, lines of one SKU added up: what is reserved, one reservation per SKU. */
    Map<String, Integer> unitsBySku() {
        Map<String, Integer> units = new LinkedHashMap<>();
        items.forEach(line -> units.merge(line.sku, line.quantity, Integer::sum));
        return units;
    }
}
