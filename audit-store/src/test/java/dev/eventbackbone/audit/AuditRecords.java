package dev.eventbackbone.audit;

import dev.eventbackbone.contracts.events.AuditActorType;
import dev.eventbackbone.contracts.events.AuditFlags;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditResource;
import dev.eventbackbone.contracts.events.AuditSeverity;
import java.time.Instant;
import java.util.Map;

/** Normalized audit records for tests, as the normalization topology writes them. */
public final class AuditRecords {

    private AuditRecords() {
    }

    public static AuditRecord record(String tenant, String eventId, String actor, String action, AuditOutcome outcome,
                                     String resourceId, Instant occurredAt) {
        return AuditRecord.newBuilder()
                .setEventId(eventId)
                .setTenantId(tenant)
                .setSource("test-service")
                .setReceivedAt(occurredAt)
                .setOccurredAt(occurredAt)
                .setAction(action)
                .setActionRaw(action)
                .setOutcome(outcome)
                .setSeverity(outcome == AuditOutcome.SUCCESS ? AuditSeverity.INFO : AuditSeverity.WARNING)
                .setActorType(AuditActorType.USER)
                .setActorId(actor)
                .setActorName(null)
                .setResource(AuditResource.newBuilder().setType("file").setId(resourceId).setName(null).build())
                .setIp("203.0.113.0")
                .setUserAgent("curl/8")
                .setFlags(AuditFlags.newBuilder().build())
                .setMetadata(Map.of("b", "2", "a", "1"))
                .build();
    }

    public static AuditRecord login(String tenant, String eventId, String actor, Instant at) {
        return record(tenant, eventId, actor, "auth.login", AuditOutcome.SUCCESS, "session-" + eventId, at);
    }
}
