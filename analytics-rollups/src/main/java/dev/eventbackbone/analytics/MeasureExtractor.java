package dev.eventbackbone.analytics;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.AnalyticsEvent;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.OrderStatus;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.service.DeadLetters;
import dev.eventbackbone.service.SeenEvents;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Reads the three sources into measures keyed {@code tenant|name}, at their event time:
 * <ul>
 *   <li>{@code analytics.events}: the event's name, user and value, at {@code occurredAt} (else
 *       {@code receivedAt}); also counted under the tenant's {@code *} (all events, top names and
 *       top property values);</li>
 *   <li>{@code orders.events}: {@code orders.<status>} per transition, and {@code revenue.<currency>}
 *       with the total in minor units when an order is PAID;</li>
 *   <li>{@code audit.events}: {@code audit.denied}, {@code audit.failed} and {@code audit.error}
 *       by outcome, per actor.</li>
 * </ul>
 * A record that cannot be read, or an analytics event without a tenant or name, goes to
 * {@code analytics.dlq} with the reason (as a {@code RejectedEvent} value).
 *
 * <p>An analytics event whose {@code eventId} was counted before is a copy (the gateway's spool
 * resends a record whose acknowledgement was lost, a client retries), and is counted once: its id
 * is remembered for as long as a window can take it. Order and audit events need no such check:
 * the topologies that write them drop copies themselves and write exactly once.
 */
final class MeasureExtractor implements Processor<byte[], byte[], String, Object> {

    private final AnalyticsSerdes serdes;
    private final Duration seenWindow;
    private ProcessorContext<String, Object> context;
    private SeenEvents seen;

    MeasureExtractor(AnalyticsSerdes serdes, Duration seenWindow) {
        this.serdes = serdes;
        this.seenWindow = seenWindow;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        seen = SeenEvents.in(context, RollupTopology.SEEN_EVENTS_STORE, seenWindow, RollupTopology.COMPONENT);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(meta -> meta.topic()).orElse(TopicCatalog.ANALYTICS_EVENTS);
        try {
            if (record.value() == null) {
                throw new SerializationException("The record has no value (a tombstone); " + topic
                        + " carries events.");
            }
            switch (topic) {
                case TopicCatalog.ORDERS_EVENTS -> order(serdes.orders().deserializer().deserialize(topic, record.value()));
                case TopicCatalog.AUDIT_EVENTS -> audit(serdes.audit().deserializer().deserialize(topic, record.value()));
                default -> analytics(record, serdes.events().deserializer().deserialize(topic, record.value()));
            }
        } catch (SerializationException e) {
            reject(record, null, null, DeadLetters.reasonOf(e), e.getMessage(), null, e);
        }
    }

    private void analytics(Record<byte[], byte[]> record, AnalyticsEvent event) {
        if (blank(event.getTenantId()) || blank(event.getName())) {
            reject(record, event.getEventId(), event.getTenantId(), RejectionReason.INVALID_VALUE,
                    "An analytics event needs a tenantId and a name; the gateway fills tenantId.",
                    blank(event.getName()) ? "name" : "tenantId", null);
            return;
        }
        long at = (event.getOccurredAt() != null ? event.getOccurredAt() : event.getReceivedAt()).toEpochMilli();
        if (!blank(event.getEventId())) {
            String id = event.getTenantId() + ":" + event.getEventId();
            if (seen.isCopy(id, at)) {
                return;
            }
            seen.remember(id, at);
        }
        Measure measure = new Measure(event.getTenantId(), event.getName(), event.getUserId(), event.getValue(), at,
                event.getProperties());
        emit(measure);
        emit(measure.tenantId(), measure);
    }

    private void order(OrderEvent event) {
        if (event.getCommandRefused()) {
            return;
        }
        long at = event.getOccurredAt().toEpochMilli();
        String tenant = event.getTenantId();
        emit(new Measure(tenant, "orders." + event.getStatus().name().toLowerCase(), event.getCustomerId(), null, at));
        if (event.getStatus() == OrderStatus.PAID && event.getCurrency() != null) {
            emit(new Measure(tenant, "revenue." + event.getCurrency(), event.getCustomerId(),
                    (double) event.getTotalMinor(), at));
        }
    }

    private void audit(AuditRecord record) {
        AuditOutcome outcome = record.getOutcome();
        if (outcome == AuditOutcome.DENIED || outcome == AuditOutcome.FAILURE || outcome == AuditOutcome.ERROR) {
            String name = switch (outcome) {
                case DENIED -> "audit.denied";
                case FAILURE -> "audit.failed";
                default -> "audit.error";
            };
            emit(new Measure(record.getTenantId(), name, record.getActorId(), null, record.getOccurredAt().toEpochMilli()));
        }
    }

    private void emit(Measure measure) {
        context.forward(new Record<>(Measure.key(measure.tenantId(), measure.name()), measure, measure.at()));
    }

    /** The tenant's {@code *} rollup, which also counts the event's name and properties among the top ones. */
    private void emit(String tenantId, Measure event) {
        context.forward(new Record<>(Measure.key(tenantId, Measure.ALL), event, event.at()));
    }

    private void reject(Record<byte[], byte[]> record, String eventId, String tenantId, RejectionReason reason,
                        String message, String field, Throwable error) {
        var rejection = DeadLetters.rejection(record, context.recordMetadata().orElse(null), eventId, tenantId,
                "analytics", RollupTopology.COMPONENT, reason, message, field, error, context.currentSystemTimeMs());
        context.forward(new Record<>(record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                rejection, record.timestamp()));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
