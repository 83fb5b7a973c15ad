package dev.eventbackbone.processors.orders;

import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.OrderItem;
import java.util.Currency;
import java.util.List;

/** The checks a PLACE must pass, each failure a reason code and what is wrong, for the REJECTED event. */
final class OrderValidation {

    private final OrderSettings settings;

    OrderValidation(OrderSettings settings) {
        this.settings = settings;
    }

    /** What is wrong with the order, or null when it may proceed. */
    String problem(OrderCommand command, CustomerState customer, long now) {
        List<OrderItem> items = command.getItems();
        if (items.isEmpty()) {
            return "no_items: an order needs at least one line";
        }
        if (items.size() > settings.getMaxLines()) {
            return "too_many_lines: " + items.size() + " lines, at most " + settings.getMaxLines();
        }
        for (int i = 0; i < items.size(); i++) {
            OrderItem item = items.get(i);
            if (item.getSku() == null || item.getSku().isBlank()) {
                return "invalid_sku: items[" + i + "].sku is blank";
            }
            if (item.getQuantity() < 1 || item.getQuantity() > settings.getMaxQuantity()) {
                return "invalid_quantity: items[" + i + "].quantity is " + item.getQuantity() + "; it must be 1 to "
                        + settings.getMaxQuantity();
            }
            if (item.getUnitPriceMinor() < 0) {
                return "invalid_price: items[" + i + "].unitPriceMinor is negative";
            }
        }
        if (command.getCurrency() == null || !isIso4217(command.getCurrency())) {
            return "invalid_currency: '" + command.getCurrency() + "' is not an ISO-4217 code such as EUR";
        }
        long subtotal;
        try {
            subtotal = subtotal(command);
        } catch (ArithmeticException e) {
            return "invalid_total: the order's total does not fit in 64 bits of minor units";
        }
        OrderSettings.TenantLimits limits = settings.limitsOf(command.getTenantId());
        Long limit = limits.getSpendingLimits().get(command.getCurrency());
        if (limit != null) {
            long windowStart = now - limits.getSpendingWindow().toMilliseconds();
            customer.spending.removeIf(spend -> spend.at < windowStart);
            long spent = customer.spending.stream().filter(spend -> spend.currency.equals(command.getCurrency()))
                    .mapToLong(spend -> spend.amountMinor).reduce(0, Math::addExact);
            if (subtotal > limit - spent) {
                return "spending_limit: " + command.getCurrency() + " " + spent + " spent in the last "
                        + limits.getSpendingWindow() + " plus " + subtotal + " would pass the limit of " + limit;
            }
        }
        return null;
    }

    long subtotal(OrderCommand command) {
        long subtotal = 0;
        for (OrderItem item : command.getItems()) {
            subtotal = Math.addExact(subtotal, Math.multiplyExact(item.getUnitPriceMinor(), (long) item.getQuantity()));
        }
        return subtotal;
    }

    private static boolean isIso4217(String code) {
        try {
            return Currency.getInstance(code).getCurrencyCode().equals(code);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
