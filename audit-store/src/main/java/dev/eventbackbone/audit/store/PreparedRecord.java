package dev.eventbackbone.audit.store;

import dev.eventbackbone.audit.chain.CanonicalJson;
import dev.eventbackbone.contracts.events.AuditRecord;
import java.util.List;

/**
 * A record made ready to append: its canonical JSON and the keys it will be found by, all but the
 * sequence number, which only the append can assign. Preparing needs no store state, so it runs on
 * another thread than the appends and keeps that work off the chain's single writer.
 */
public record PreparedRecord(String tenantId, String eventId, byte[] eventIdKey, byte[] canonicalJson,
                             List<byte[]> indexPrefixes) {

    public static PreparedRecord of(AuditRecord record) {
        String tenant = record.getTenantId();
        return new PreparedRecord(tenant, record.getEventId(), Keys.eventId(tenant, record.getEventId()),
                CanonicalJson.encode(record), indexPrefixes(tenant, record.getActorId(), record.getAction(),
                        record.getResource().getId(), record.getOutcome().name(), record.getOccurredAt().toEpochMilli()));
    }

    /** The index entries of a record, but for the sequence: what appending writes and retention deletes. */
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
