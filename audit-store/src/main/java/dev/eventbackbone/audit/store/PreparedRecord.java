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
                CanonicalJson.encode(record), List.of(
                        Keys.indexValuePrefix(IndexField.ACTOR, tenant, record.getActorId()),
                        Keys.indexValuePrefix(IndexField.ACTION, tenant, record.getAction()),
                        Keys.indexValuePrefix(IndexField.RESOURCE, tenant, record.getResource().getId()),
                        Keys.indexValuePrefix(IndexField.OUTCOME, tenant, record.getOutcome().name()),
                        Keys.timeIndexValuePrefix(tenant, record.getOccurredAt().toEpochMilli())));
    }
}
