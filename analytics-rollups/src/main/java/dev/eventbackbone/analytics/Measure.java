package dev.eventbackbone.analytics;

import java.util.Map;

/**
 * One thing to count, from any of the three sources: an analytics event, an order transition or
 * an audit outcome, normalized to a tenant, a name, who did it, an optional value and when.
 *
 * @param name   e.g. {@code page_view}, {@code orders.paid}, {@code revenue.EUR}, {@code audit.denied}
 * @param userId who it is about, or null for anonymous traffic
 * @param value  the measure to sum and take quantiles of, or null for a pure count
 * @param at     event time (UTC epoch milliseconds): the window it counts in
 * @param properties an analytics event's properties (its dimensions), empty for the other sources
 */
public record Measure(String tenantId, String name, String userId, Double value, long at,
                      Map<String, String> properties) {

    public Measure {
        properties = properties == null ? Map.of() : properties;
    }

    /** A measure without properties. */
    public Measure(String tenantId, String name, String userId, Double value, long at) {
        this(tenantId, name, userId, value, at, Map.of());
    }

    /** The name under which every measure of a tenant is also counted: all events, distinct users, top names. */
    public static final String ALL = "*";

    /** The rollup key of a tenant's name: {@code tenant|name}. */
    public static String key(String tenantId, String name) {
        return tenantId + "|" + name;
    }

    static boolean isAll(String key) {
        return key.endsWith("|" + ALL);
    }
}
