package dev.eventbackbone.audit.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A search of one tenant's leaves, newest (highest index) first. Every filter is optional;
 * {@code beforeIndex} (exclusive) is the cursor of the previous page.
 *
 * @param actionPrefix matches actions starting with it, e.g. {@code auth.} or {@code auth.login}
 * @param from         inclusive lower bound on occurredAt
 * @param to           exclusive upper bound on occurredAt
 */
public record AuditQuery(String tenantId, String actor, String actionPrefix, String resourceId, String resourceType,
                         String outcome, String severity, Instant from, Instant to, long beforeIndex, int limit) {

    public static AuditQuery allOf(String tenantId, int limit) {
        return new AuditQuery(tenantId, null, null, null, null, null, null, null, null, Long.MAX_VALUE, limit);
    }

    public AuditQuery withActor(String newActor) {
        return new AuditQuery(tenantId, newActor, actionPrefix, resourceId, resourceType, outcome, severity, from, to,
                beforeIndex, limit);
    }

    public AuditQuery before(long index) {
        return new AuditQuery(tenantId, actor, actionPrefix, resourceId, resourceType, outcome, severity, from, to,
                index, limit);
    }

    boolean matches(JsonNode record) {
        return equal(actor, record.path("actorId"))
                && (actionPrefix == null || record.path("action").asText().startsWith(actionPrefix))
                && equal(resourceId, record.path("resource").path("id"))
                && equal(resourceType, record.path("resource").path("type"))
                && equal(outcome, record.path("outcome"))
                && equal(severity, record.path("severity"))
                && (from == null || record.path("occurredAt").asLong() >= from.toEpochMilli())
                && (to == null || record.path("occurredAt").asLong() < to.toEpochMilli());
    }

    private static boolean equal(String wanted, JsonNode actual) {
        return wanted == null || (actual.isTextual() && actual.asText().equals(wanted));
    }
}
