package dev.eventbackbone.processors.audit;

import dev.eventbackbone.contracts.audit.PersonalSeal.SubjectKey;
import dev.eventbackbone.contracts.audit.PersonalSeal;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.AuditActorType;
import dev.eventbackbone.contracts.events.AuditErasureRequest;
import dev.eventbackbone.contracts.events.AuditFlags;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditResource;
import dev.eventbackbone.contracts.events.AuditSeverity;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.service.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erases a subject in this task: destroys the subject's key, writes its tombstone to
 * audit.subject-keys and an {@link PersonalSeal#ERASED_ACTION} record to the tenant's log, all in one
 * transaction. The request reaches every task, since any task may have made a key for the subject;
 * a task that holds none does nothing.
 */
final class AuditErasureProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(AuditErasureProcessor.class);

    private final Deserializer<AuditErasureRequest> requests;
    private ProcessorContext<Object, Object> context;
    private SubjectKeys subjectKeys;

    AuditErasureProcessor(Deserializer<AuditErasureRequest> requests) {
        this.requests = requests;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.subjectKeys = new SubjectKeys(context.getStateStore(AuditNormalizationTopology.SUBJECT_KEYS_STORE));
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        AuditErasureRequest request;
        try {
            if (record.value() == null) {
                throw new SerializationException("The record has no value; audit.erasures takes only erasure requests.");
            }
            request = requests.deserialize(TopicCatalog.AUDIT_ERASURES, record.value());
        } catch (SerializationException e) {
            deadLetter(record, e);
            return;
        }
        // Named as the records name the actor: an erasure asked for by e-mail address finds the keys of its hash.
        String subject = AuditNormalizer.subjectOf(request.getSubject());
        subjectKeys.destroy(request.getTenantId(), subject).ifPresent(key -> {
            LOG.info("Erased subject key {} of tenant {} (request {})", key.keyId(), request.getTenantId(),
                    request.getRequestId());
            context.forward(new Record<Object, Object>(key.keyId(), null, record.timestamp()),
                    AuditNormalizationTopology.SUBJECT_KEYS_SINK);
            AuditRecord erased = erasureRecord(request, subject, key, context.currentSystemTimeMs());
            Headers headers = new RecordHeaders();
            headers.add("event-id", erased.getEventId().getBytes(StandardCharsets.UTF_8));
            headers.add("tenant", erased.getTenantId().getBytes(StandardCharsets.UTF_8));
            headers.add("source", erased.getSource().getBytes(StandardCharsets.UTF_8));
            context.forward(new Record<Object, Object>(erased.getTenantId(), erased, record.timestamp(), headers),
                    AuditNormalizationTopology.EVENTS_SINK);
        });
    }

    /** The log's record of an erasure: who asked, which subject, which key, and when it was destroyed. */
    static AuditRecord erasureRecord(AuditErasureRequest request, String subject, SubjectKey key,
                                     long destroyedAtMillis) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("requestId", request.getRequestId());
        metadata.put("keyId", key.keyId());
        if (request.getReason() != null) {
            metadata.put("reason", request.getReason());
        }
        return AuditRecord.newBuilder()
                .setEventId("erasure:" + request.getRequestId() + ":" + key.keyId())
                .setTenantId(request.getTenantId())
                .setSource(PersonalSeal.NORMALIZER_SOURCE)
                .setReceivedAt(request.getRequestedAt())
                .setOccurredAt(Instant.ofEpochMilli(destroyedAtMillis))
                .setAction(PersonalSeal.ERASED_ACTION)
                .setActionRaw(PersonalSeal.ERASED_ACTION)
                .setOutcome(AuditOutcome.SUCCESS)
                .setSeverity(AuditSeverity.NOTICE)
                .setActorType(AuditActorType.API_KEY)
                .setActorId(request.getRequestedBy())
                .setResource(new AuditResource("subject", subject, null))
                .setFlags(new AuditFlags(false, false, false))
                .setMetadata(metadata)
                .build();
    }

    private void deadLetter(Record<byte[], byte[]> record, SerializationException e) {
        LOG.warn("Dead-lettered an audit.erasures record: {}", e.getMessage());
        var rejection = DeadLetters.rejection(record, context.recordMetadata().orElse(null), null, null, "audit",
                AuditNormalizationTopology.COMPONENT, RejectionReason.UNDECODABLE, "Not an erasure request: " + e.getMessage()
                        + ". Ask for erasures with POST /v1/audit/erasures, which writes them.", null, e,
                context.currentSystemTimeMs());
        context.forward(new Record<Object, Object>(record.key(), rejection, record.timestamp()),
                AuditNormalizationTopology.DLQ_SINK);
    }
}
