package dev.eventbackbone.processors.audit;

import dev.eventbackbone.contracts.events.AuditActor;
import dev.eventbackbone.contracts.events.AuditFlags;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.AuditRecord;
import java.time.Instant;
import java.util.HashMap;

/**
 * Turns one AuditRawEvent into an AuditRecord: canonical action, outcome, actor type, times,
 * severity and minimized personal data. A pure function of the event and the settings, no Kafka.
 */
final class AuditNormalizer {

    private final AuditRules rules;
    private final PersonalData personalData;
    private final long clockSkewMillis;

    /** @throws IllegalArgumentException on settings that must not run, e.g. IP hashing without a key */
    AuditNormalizer(AuditSettings settings) {
        this.rules = AuditRules.load(settings.getTenants());
        this.personalData = new PersonalData(settings.getPrivacy());
        this.clockSkewMillis = settings.getClockSkew().toMilliseconds();
    }

    /** The JSON path of the first required field that is blank, or null when all are there. */
    static String blankField(AuditRawEvent raw) {
        if (isBlank(raw.getTenantId())) {
            return "$.tenantId";
        }
        if (isBlank(raw.getEventId())) {
            return "$.eventId";
        }
        if (raw.getActor() instanceof AuditActor actor) {
            if (isBlank(actor.getId())) {
                return "$.actor.id";
            }
        } else if (isBlank((String) raw.getActor())) {
            return "$.actor";
        }
        if (isBlank(raw.getAction())) {
            return "$.action";
        }
        if (isBlank(raw.getResource().getId())) {
            return "$.resource.id";
        }
        return null;
    }

    /** The normalized record; the event must have passed {@link #blankField}. */
    AuditRecord normalize(AuditRawEvent raw) {
        String tenant = raw.getTenantId();
        AuditRules.Action action = rules.action(tenant, raw.getAction());
        AuditOutcome outcome = firstNonNull(Vocabulary.outcome(raw.getOutcome()), action.impliedOutcome(),
                AuditOutcome.UNKNOWN);

        AuditRecord.Builder record = AuditRecord.newBuilder()
                .setEventId(raw.getEventId())
                .setTenantId(tenant)
                .setSource(raw.getSource())
                .setReceivedAt(raw.getReceivedAt())
                .setTraceparent(raw.getTraceparent())
                .setAction(action.canonical())
                .setActionRaw(raw.getAction())
                .setOutcome(outcome)
                .setSeverity(rules.severity(tenant, action.canonical(), outcome))
                .setResource(raw.getResource())
                .setUserAgent(raw.getUserAgent())
                .setMetadata(new HashMap<>(raw.getMetadata()));

        String actorIp = null;
        String actorId;
        String emailHash = null;
        if (raw.getActor() instanceof AuditActor actor) {
            actorId = actor.getId().trim();
            record.setActorType(Vocabulary.actorType(actor.getType())).setActorName(actor.getName());
            emailHash = PersonalData.emailHash(actor.getEmail());
            actorIp = actor.getIp();
        } else {
            actorId = ((String) raw.getActor()).trim();
            record.setActorType(Vocabulary.actorTypeOfId(actorId));
        }
        if (Vocabulary.isEmail(actorId)) {
            emailHash = emailHash != null ? emailHash : PersonalData.emailHash(actorId);
        }
        record.setActorId(subjectOf(actorId)).setActorEmailHash(emailHash);
        // The top-level ip is what the receiving service saw; the actor's is its own claim.
        record.setIp(personalData.ip(tenant, isBlank(raw.getIp()) ? actorIp : raw.getIp()));

        Instant receivedAt = raw.getReceivedAt();
        Long occurredAt = EventTimes.occurredAtMillis(raw.getOccurredAt());
        boolean inferred = occurredAt == null;
        long occurred = inferred ? receivedAt.toEpochMilli() : occurredAt;
        record.setOccurredAt(Instant.ofEpochMilli(occurred))
                .setFlags(AuditFlags.newBuilder()
                        .setUnknownAction(!action.known())
                        .setOccurredAtInferred(inferred)
                        .setOccurredAtInFuture(occurred > receivedAt.toEpochMilli() + clockSkewMillis)
                        .build());
        return record.build();
    }

    static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /**
     * The actor id a record keeps for an actor id as sent: trimmed, and an e-mail address (personal
     * data like actor.email) replaced by its hash, so only that is kept. Also the subject an erasure
     * request names, so one asked for by the address finds the keys made for its hash.
     */
    static String subjectOf(String actorId) {
        String trimmed = actorId.trim();
        return Vocabulary.isEmail(trimmed) ? PersonalData.HASHED_EMAIL_ID_PREFIX + PersonalData.emailHash(trimmed)
                : trimmed;
    }
}
