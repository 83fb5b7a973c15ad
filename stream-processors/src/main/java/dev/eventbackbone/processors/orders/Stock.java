package dev.eventbackbone.processors.orders;

/**
 * A SKU's stock (store {@value OrderTopology#STOCK_STORE}, key tenant:sku): available and reserved
 * units in one value, so one change moves units between them. Each order's reservation is a key of
 * its own in {@value OrderTopology#RESERVATIONS_STORE}, in the same task and commit, so a release or
 * commit moves exactly what was reserved and a busy SKU's value stays two numbers.
 */
final class Stock {

    long available;
    long reserved;
}
