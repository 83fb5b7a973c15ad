package dev.eventbackbone.processors.audit;

import dev.eventbackbone.contracts.audit.PersonalSeal.PersonalFields;
import dev.eventbackbone.contracts.audit.PersonalSeal.SubjectKey;
import dev.eventbackbone.contracts.audit.PersonalSeal;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditSeverity;
import dev.eventbackbone.contracts.events.AuditSubjectKey;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.service.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes, validates, deduplicates and normalizes each audit.raw record, and routes the result:
 * audit.events with the actor's personal fields sealed (and audit.alerts, readable, when severe), a
 * failed-login burst alert, or a dead letter.
 * Values arrive as bytes so that a record that cannot be decoded is dead-lettered, not fatal.
 */
final class AuditNormalizationProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(AuditNormalizationProcessor.class);

    private final AuditNormalizer normalizer;
    private final Deserializer<AuditRawEvent> rawValues;
    private final AuditSettings settings;
    private final long dedupeWindowMillis;

    private ProcessorContext<Object, Object> context;
    private WindowStore<String, Long> seen;
    private FailedLoginDetector failedLogins;
    private SubjectKeys subjectKeys;
    private Sensor duplicates;
    private Sensor deadLetters;

    AuditNormalizationProcessor(AuditNormalizer normalizer, Deserializer<AuditRawEvent> rawValues,
                                AuditSettings settings) {
        this.normalizer = normalizer;
        this.rawValues = rawValues;
        this.settings = settings;
        this.dedupeWindowMillis = settings.getDedupeWindow().toMilliseconds();
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.seen = context.getStateStore(AuditNormalizationTopology.DEDUPE_STORE);
        this.subjectKeys = new SubjectKeys(context.getStateStore(AuditNormalizationTopology.SUBJECT_KEYS_STORE));
        Duration window = settings.getFailedLogins().getWindow().toJavaDuration();
        this.failedLogins = new FailedLoginDetector(context.getStateStore(AuditNormalizationTopology.FAILED_LOGINS_STORE),
                settings.getFailedLogins().getThreshold(), window.toMillis());
        context.schedule(window, PunctuationType.STREAM_TIME, failedLogins::purge);
        String task = context.taskId().toString();
        this.duplicates = context.metrics().addRateTotalSensor(AuditNormalizationTopology.COMPONENT, task,
                "duplicates-dropped", Sensor.RecordingLevel.INFO);
        this.deadLetters = context.metrics().addRateTotalSensor(AuditNormalizationTopology.COMPONENT, task,
                "dead-letters", Sensor.RecordingLevel.INFO);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        AuditRawEvent raw;
        try {
            raw = decode(record.value());
        } catch (SerializationException e) {
            deadLetter(record, null, DeadLetters.reasonOf(e), e.getMessage(), null, e);
            return;
        }
        String blank = AuditNormalizer.blankField(raw);
        if (blank != null) {
            deadLetter(record, raw, RejectionReason.INVALID_VALUE,
                    "Required field " + blank + " is blank; the sender must fill it in and resend the event.", blank, null);
            return;
        }
        // A retry carries the same actor, so the same key and partition as the original: task-local state suffices.
        String eventKey = raw.getTenantId() + ":" + raw.getEventId();
        if (alreadySeen(eventKey, record.timestamp())) {
            duplicates.record();
            LOG.debug("Dropped duplicate audit event {} of tenant {}: normalized before", raw.getEventId(),
                    raw.getTenantId());
            return;
        }
        AuditRecord normalized;
        try {
            normalized = normalizer.normalize(raw);
        } catch (RuntimeException e) {
            deadLetter(record, raw, RejectionReason.PROCESSING_FAILED,
                    "Normalization failed: " + e + ". Fix the normalizer or the event, then replay it.", null, e);
            return;
        }
        if (PersonalSeal.ERASED_ACTION.equals(normalized.getAction())) {
            deadLetter(record, raw, RejectionReason.INVALID_VALUE, "The action " + PersonalSeal.ERASED_ACTION
                    + " is reserved for the log's own erasure records; ask for an erasure with POST /v1/audit/erasures.",
                    "action", null);
            return;
        }
        seen.put(eventKey, record.timestamp(), record.timestamp());

        String key = normalized.getTenantId() + ":" + normalized.getActorId();
        Headers headers = outputHeaders(record.headers(), normalized);
        // audit.events is keyed by tenant alone: a tenant's log is one partition, ordered by Kafka (docs/topics.md).
        context.forward(new Record<Object, Object>(normalized.getTenantId(), sealed(normalized, record.timestamp()),
                record.timestamp(), headers), AuditNormalizationTopology.EVENTS_SINK);
        if (normalized.getSeverity().compareTo(AuditSeverity.HIGH) >= 0) {
            context.forward(new Record<Object, Object>(key, normalized, record.timestamp(),
                    new RecordHeaders(headers.toArray())), AuditNormalizationTopology.ALERTS_SINK);
        }
        failedLogins.onRecord(key, normalized, record.timestamp()).ifPresent(alert -> context.forward(
                new Record<Object, Object>(key, alert, record.timestamp(), outputHeaders(new RecordHeaders(), alert)),
                AuditNormalizationTopology.ALERTS_SINK));
    }

    /**
     * The record as the immutable log keeps it: personal fields sealed with the subject's key, which
     * is published in the same transaction as the record when it is new, so no reader ever sees a
     * record sealed with a key that was never written.
     */
    private AuditRecord sealed(AuditRecord normalized, long timestamp) {
        if (PersonalFields.of(normalized).isEmpty()) {
            return normalized;
        }
        SubjectKeys.Lookup lookup = subjectKeys.keyFor(normalized.getTenantId(), normalized.getActorId());
        SubjectKey key = lookup.key();
        if (lookup.made()) {
            AuditSubjectKey published = new AuditSubjectKey(key.keyId(), normalized.getTenantId(),
                    normalized.getActorId(), ByteBuffer.wrap(key.key()), Instant.ofEpochMilli(context.currentSystemTimeMs()));
            context.forward(new Record<Object, Object>(key.keyId(), published, timestamp),
                    AuditNormalizationTopology.SUBJECT_KEYS_SINK);
        }
        return PersonalSeal.seal(normalized, key);
    }

    private AuditRawEvent decode(byte[] value) {
        if (value == null) {
            throw new SerializationException("The record has no value (a tombstone); audit.raw takes only events.");
        }
        return rawValues.deserialize(TopicCatalog.AUDIT_RAW, value);
    }


    /** Whether the event was normalized within the dedupe window before or after this record's time. */
    private boolean alreadySeen(String eventKey, long timestamp) {
        try (WindowStoreIterator<Long> earlier = seen.fetch(eventKey, Math.max(0, timestamp - dedupeWindowMillis),
                timestamp + dedupeWindowMillis)) {
            return earlier.hasNext();
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, AuditRawEvent raw, RejectionReason reason, String message,
                            String fieldPath, Throwable error) {
        deadLetters.record();
        LOG.warn("Dead-lettered an audit.raw record ({}{}): {}", reason,
                context.recordMetadata().map(meta -> " at " + meta.topic() + "-" + meta.partition() + "@" + meta.offset())
                        .orElse(""), message);
        var rejection = DeadLetters.rejection(record, context.recordMetadata().orElse(null),
                raw == null ? null : raw.getEventId(), raw == null ? null : raw.getTenantId(), "audit",
                AuditNormalizationTopology.COMPONENT, reason, message, fieldPath, error, context.currentSystemTimeMs());
        Headers headers = new RecordHeaders();
        rejection.getOriginalHeaders().forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        context.forward(new Record<Object, Object>(record.key(), rejection, record.timestamp(), headers),
                AuditNormalizationTopology.DLQ_SINK);
    }

    /** The gateway's headers carried over; any the input lacked are filled in from the record itself. */
    private static Headers outputHeaders(Headers in, AuditRecord record) {
        Headers out = new RecordHeaders();
        copyOr(in, out, "event-id", record.getEventId());
        copyOr(in, out, "tenant", record.getTenantId());
        copyOr(in, out, "source", record.getSource());
        copyOr(in, out, "traceparent", record.getTraceparent());
        return out;
    }

    private static void copyOr(Headers in, Headers out, String name, String fallback) {
        var header = in.lastHeader(name);
        if (header != null) {
            out.add(name, header.value());
        } else if (fallback != null) {
            out.add(name, fallback.getBytes(StandardCharsets.UTF_8));
        }
    }
}
