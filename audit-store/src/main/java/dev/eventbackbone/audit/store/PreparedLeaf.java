package dev.eventbackbone.audit.store;

import dev.eventbackbone.audit.evidence.CanonicalJson;
import dev.eventbackbone.contracts.audit.PersonalSeal;
import dev.eventbackbone.contracts.events.AuditRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A leaf made ready to append: its canonical JSON and the keys it will be found by, all but its
 * index, which only the append can assign. Preparing needs no store state, so it runs on another
 * thread than the appends and keeps that work off the single writer.
 *
 * @param eventId null for a rejection, which is neither deduplicated nor indexed
 * @param erasure  the subject key this leaf says was destroyed, or null
 */
public record PreparedLeaf(String tenantId, String eventId, byte[] eventIdKey, byte[] canonicalJson,
                           List<byte[]> indexPrefixes, Erasure erasure) {

    /** A subject key the normalizer destroyed, and when. */
    public record Erasure(String keyId, long erasedAt) {
    }

    /** The field that marks a rejection leaf. */
    static final String REJECTION_FIELD = "rejection";

    public static PreparedLeaf of(AuditRecord record) {
        String tenant = record.getTenantId();
        return new PreparedLeaf(tenant, record.getEventId(), Keys.eventId(tenant, record.getEventId()),
                CanonicalJson.encode(record), indexPrefixes(tenant, record.getActorId(), record.getAction(),
                        record.getResource().getId(), record.getOutcome().name(), record.getOccurredAt().toEpochMilli()),
                erasureOf(record));
    }

    /** The normalizer's record of a destroyed key; the normalizer refuses the action from anyone else. */
    private static Erasure erasureOf(AuditRecord record) {
        String keyId = record.getMetadata().get("keyId");
        if (!PersonalSeal.ERASED_ACTION.equals(record.getAction())
                || !PersonalSeal.NORMALIZER_SOURCE.equals(record.getSource()) || keyId == null) {
            return null;
        }
        return new Erasure(keyId, record.getOccurredAt().toEpochMilli());
    }

    /**
     * The trace a dead-lettered record leaves in its tenant's log: where it was on Kafka and why it
     * could not be stored, so that a gap in a tenant's records is never silent. Everything in it
     * comes from the record itself, so every instance writes the same leaf.
     */
    public static PreparedLeaf rejection(String tenant, String topic, int partition, long offset, String reasonCode,
                                         String reason) {
        Map<String, Object> rejection = new LinkedHashMap<>();
        rejection.put("topic", topic);
        rejection.put("partition", partition);
        rejection.put("offset", offset);
        rejection.put("reasonCode", reasonCode);
        rejection.put("reason", reason);
        Map<String, Object> leaf = new LinkedHashMap<>();
        leaf.put("tenantId", tenant);
        leaf.put(REJECTION_FIELD, rejection);
        return new PreparedLeaf(tenant, null, null, CanonicalJson.encode(leaf), List.of(), null);
    }

    /** The index entries of a record, but for the index: what appending writes and retention deletes. */
    static List<byte[]> indexPrefixes(String tenant, String actorId, String action, String resourceId, String outcome,
                                      long occurredAtMillis) {
        return List.of(
                Keys.indexValuePrefix(IndexField.ACTOR, tenant, actorId),
                Keys.indexValuePrefix(IndexField.ACTION, tenant, action),
                Keys.indexValuePrefix(IndexField.RESOURCE, tenant, resourceId),
                Keys.indexValuePrefix(IndexField.OUTCOME, tenant, outcome),
                Keys.timeIndexValuePrefix(tenant, occurredAtMillis));
    }
}
