package dev.eventbackbone.processors.orders;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A SKU's stock (store {@value OrderTopology#STOCK_STORE}, key tenant:sku): available and reserved
 * units in one value, so one exactly-once commit changes both, and the reservations by order so a
 * release or commit moves exactly what was reserved.
 */
final class Stock {

    long available;
    long reserved;
    Map<String, Integer> reservations = new LinkedHashMap<>();
}
