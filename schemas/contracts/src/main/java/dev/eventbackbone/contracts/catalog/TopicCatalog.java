package dev.eventbackbone.contracts.catalog;

import dev.eventbackbone.contracts.events.AnalyticsEvent;
import dev.eventbackbone.contracts.events.AuditErasureRequest;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditSubjectKey;
import dev.eventbackbone.contracts.events.AuditTreeHead;
import dev.eventbackbone.contracts.events.DeliveryResult;
import dev.eventbackbone.contracts.events.InventoryReservation;
import dev.eventbackbone.contracts.events.InventoryUpdate;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationMessage;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.PaymentRequest;
import dev.eventbackbone.contracts.events.RecipientPreferences;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.ReservationResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Every topic of the backbone, as documented in {@code docs/topics.md}. The schema registry's own
 * {@code _schemas} topic is not here: the registry creates and owns it.
 *
 * <p>Sizing: ingest topics and what is derived from them have 6 partitions, except the order
 * topics with 12, because per-customer ordering rules out adding partitions later (it remaps
 * customers to partitions) and order processing is the heaviest per-record work. Topics derived
 * from one another keep their source's count so a key stays on the same partition number.
 * Dead-letter topics have 3: they are small, and keep the original key. All topics are written
 * with replication factor 3 and {@code min.insync.replicas} 2, so an acknowledged write survives
 * the loss of one broker and writes continue while one broker is down.
 */
public final class TopicCatalog {

    public static final String AUDIT_RAW = "audit.raw";
    public static final String AUDIT_EVENTS = "audit.events";
    public static final String AUDIT_ALERTS = "audit.alerts";
    public static final String AUDIT_DLQ = "audit.dlq";
    public static final String AUDIT_HEADS = "audit.heads";
    public static final String AUDIT_SUBJECT_KEYS = "audit.subject-keys";
    public static final String AUDIT_ERASURES = "audit.erasures";
    public static final String ORDERS_COMMANDS = "orders.commands";
    public static final String ORDERS_EVENTS = "orders.events";
    public static final String ORDERS_DLQ = "orders.dlq";
    public static final String ORDERS_RESERVATION_RESULTS = "orders.reservation-results";
    public static final String INVENTORY_UPDATES = "inventory.updates";
    public static final String INVENTORY_RESERVATIONS = "inventory.reservations";
    public static final String PAYMENTS_REQUESTS = "payments.requests";
    public static final String NOTIFICATIONS_REQUESTS = "notifications.requests";
    public static final String NOTIFICATIONS_PREFERENCES = "notifications.preferences";
    public static final String NOTIFICATIONS_EMAIL = "notifications.email";
    public static final String NOTIFICATIONS_SMS = "notifications.sms";
    public static final String NOTIFICATIONS_PUSH = "notifications.push";
    public static final String NOTIFICATIONS_WEBHOOK = "notifications.webhook";
    public static final String NOTIFICATIONS_RESULTS = "notifications.results";
    public static final String NOTIFICATIONS_RETRY = "notifications.retry";
    public static final String NOTIFICATIONS_DLQ = "notifications.dlq";
    public static final String ANALYTICS_EVENTS = "analytics.events";
    public static final String ANALYTICS_DLQ = "analytics.dlq";
    public static final String INGEST_REJECTED = "ingest.rejected";

    private static final int REPLICATION_FACTOR = 3;
    private static final Map<String, String> DURABLE = Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
    /**
     * An erased key must leave the disks soon: an hour's segments become cleanable at once, and a
     * tombstone stays a day, long enough for every reader to see it before compaction removes it too.
     */
    private static final Map<String, String> ERASABLE = Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2",
            TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(Duration.ofHours(1).toMillis()),
            TopicConfig.DELETE_RETENTION_MS_CONFIG, String.valueOf(Duration.ofDays(1).toMillis()),
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");

    private static final int INGEST_PARTITIONS = 6;
    private static final int ORDER_PARTITIONS = 12;
    private static final int DEAD_LETTER_PARTITIONS = 3;

    private static final Retention WEEK = Retention.ofDays(7);
    /** Long enough for an operator to notice a dead letter, fix the cause and replay it. */
    private static final Retention DEAD_LETTER_RETENTION = Retention.ofDays(30);

    private static final String GATEWAY = "ingest-gateway";
    private static final String PROCESSORS = "stream-processors";
    private static final String ROLLUPS = "analytics-rollups";
    private static final String OPERATORS = "operators (inspection and replay)";
    private static final String SAME_KEY_AS_ORIGINAL = "key of the rejected record, unchanged (none when it had none)";

    private static final List<TopicSpec> ALL = List.of(
            topic(AUDIT_RAW, "tenant:actorId", AuditRawEvent.getClassSchema(), INGEST_PARTITIONS,
                    // Raw input is kept a month so a fixed normalizer can re-derive audit.events from it.
                    Retention.ofDays(30), GATEWAY, List.of(PROCESSORS + " (audit normalization)"),
                    "audit events as services reported them"),
            // Keyed by tenant so each tenant's records are in one partition, in an order Kafka alone decides:
            // every audit-store instance and every rebuild builds the same Merkle trees. So its partition count
            // is fixed for good: more partitions would move tenants. The audit log's record of truth, kept
            // forever: deleting audit data is a compliance decision, never a timer.
            topic(AUDIT_EVENTS, "tenantId", AuditRecord.getClassSchema(), INGEST_PARTITIONS,
                    Retention.infinite(), PROCESSORS, List.of("audit-store", ROLLUPS, "teams' own consumers"),
                    "normalized audit records, the immutable audit log"),
            topic(AUDIT_HEADS, "tenantId", AuditTreeHead.getClassSchema(), INGEST_PARTITIONS,
                    Retention.infinite(), "audit-store", List.of("witnesses and auditors"),
                    "signed tree heads of every tenant's audit log, at least every 10 seconds"),
            // One key per subject, so erasing a subject is deleting one record (docs/audit.md, Erasure).
            new TopicSpec(AUDIT_SUBJECT_KEYS, "keyId", AuditSubjectKey.getClassSchema(), INGEST_PARTITIONS,
                    REPLICATION_FACTOR, Retention.infinite(), CleanupPolicy.COMPACT, ERASABLE,
                    PROCESSORS + " (audit normalizer)", List.of("audit-store"),
                    "keys sealing each subject's personal fields in audit.events; a tombstone erases the subject"),
            // The same partition count as audit.raw: the normalizer task of partition n reads partition n of both.
            topic(AUDIT_ERASURES, "tenant:subject", AuditErasureRequest.getClassSchema(), INGEST_PARTITIONS,
                    WEEK, "audit-store (POST /v1/audit/erasures)", List.of(PROCESSORS + " (audit normalizer)"),
                    "requests to erase a subject's personal fields, copied to every partition"),
            topic(AUDIT_ALERTS, "tenant:actorId", AuditRecord.getClassSchema(), INGEST_PARTITIONS,
                    Retention.ofDays(30), PROCESSORS, List.of("security alerting consumers"),
                    "audit records of severity HIGH or CRITICAL"),
            // The audit store also writes here: an audit.events record it cannot decode must not stop the log.
            deadLetters(AUDIT_DLQ, PROCESSORS + " (audit normalizer), audit-store (undecodable audit.events records)",
                    "audit events the normalizer or the store could not decode or process"),

            topic(ORDERS_COMMANDS, "tenant:customerId", OrderCommand.getClassSchema(), ORDER_PARTITIONS,
                    WEEK, GATEWAY, List.of(PROCESSORS + " (order processing)"),
                    "order commands, in per-customer order"),
            topic(ORDERS_EVENTS, "tenant:customerId", OrderEvent.getClassSchema(), ORDER_PARTITIONS,
                    WEEK, PROCESSORS, List.of(PROCESSORS + " (order notifications)", ROLLUPS, "teams' own consumers"),
                    "order state transitions, exactly once each"),
            deadLetters(ORDERS_DLQ, PROCESSORS, "order commands and inventory updates the order topology could not"
                    + " decode or process"),
            // The saga between the customer's task and the SKU's task: same partition count as the commands, so
            // the order topology reads partition n of the commands and of the results in one task.
            topic(INVENTORY_UPDATES, "tenant:sku", InventoryUpdate.getClassSchema(), ORDER_PARTITIONS, WEEK, GATEWAY,
                    List.of(PROCESSORS + " (order processing, inventory)"), "stock levels set or adjusted per SKU"),
            topic(INVENTORY_RESERVATIONS, "tenant:sku", InventoryReservation.getClassSchema(), ORDER_PARTITIONS, WEEK,
                    PROCESSORS + " (order processing)", List.of(PROCESSORS + " (order processing, inventory)"),
                    "saga steps per order line: reserve, release, commit"),
            topic(ORDERS_RESERVATION_RESULTS, "tenant:customerId", ReservationResult.getClassSchema(), ORDER_PARTITIONS,
                    WEEK, PROCESSORS + " (order processing, inventory)", List.of(PROCESSORS + " (order processing)"),
                    "whether each order line could be reserved"),
            topic(PAYMENTS_REQUESTS, "tenant:customerId", PaymentRequest.getClassSchema(), ORDER_PARTITIONS, WEEK,
                    PROCESSORS + " (order processing)", List.of("tenants' payment services"),
                    "orders to collect payment for, each with the time it expires"),

            topic(NOTIFICATIONS_REQUESTS, "tenant:recipientId", NotificationRequest.getClassSchema(),
                    INGEST_PARTITIONS, WEEK, GATEWAY, List.of(PROCESSORS + " (notification fan-out)"),
                    "notification requests, one recipient each"),
            // Compacted: the latest preferences of each recipient, for good. Same partitions as the requests, so
            // the fan-out task of a request holds its recipient's preferences.
            new TopicSpec(NOTIFICATIONS_PREFERENCES, "tenant:recipientId", RecipientPreferences.getClassSchema(),
                    INGEST_PARTITIONS, REPLICATION_FACTOR, Retention.infinite(), CleanupPolicy.COMPACT, DURABLE,
                    GATEWAY, List.of(PROCESSORS + " (notification fan-out)"),
                    "each recipient's addresses, opt-outs, quiet hours and locale"),
            channel(NOTIFICATIONS_EMAIL, "email"),
            channel(NOTIFICATIONS_SMS, "SMS"),
            channel(NOTIFICATIONS_PUSH, "push"),
            channel(NOTIFICATIONS_WEBHOOK, "webhook"),
            topic(NOTIFICATIONS_RESULTS, "tenant:recipientId", DeliveryResult.getClassSchema(), INGEST_PARTITIONS,
                    WEEK, PROCESSORS + " (delivery workers)",
                    List.of(PROCESSORS + " (notification fan-out)", "teams' own consumers"),
                    "outcome of every delivery attempt"),
            topic(NOTIFICATIONS_RETRY, "tenant:recipientId", NotificationMessage.getClassSchema(), INGEST_PARTITIONS,
                    WEEK, PROCESSORS + " (delivery workers)", List.of(PROCESSORS + " (retry scheduler)"),
                    "messages waiting for their next attempt after a transient failure"),
            deadLetters(NOTIFICATIONS_DLQ, PROCESSORS,
                    "notifications that could not be fanned out or delivered within their attempts"),

            topic(ANALYTICS_EVENTS, "tenant:userId (tenant:eventId when there is no user)",
                    AnalyticsEvent.getClassSchema(), INGEST_PARTITIONS, WEEK, GATEWAY, List.of(ROLLUPS),
                    "product analytics events"),
            // Direct producers can write anything to analytics.events; what the rollups cannot read lands here.
            deadLetters(ANALYTICS_DLQ, ROLLUPS, "analytics events the rollups could not decode or aggregate"),

            new TopicSpec(INGEST_REJECTED, "tenant:eventId (tenant:rejectionId when the event id is unknown)",
                    RejectedEvent.getClassSchema(), DEAD_LETTER_PARTITIONS, REPLICATION_FACTOR, DEAD_LETTER_RETENTION,
                    CleanupPolicy.DELETE, DURABLE, GATEWAY, List.of(OPERATORS, "senders' operators"),
                    "events the ingest gateway refused, with the reason"));

    private static final Map<String, TopicSpec> BY_NAME =
            ALL.stream().collect(Collectors.toUnmodifiableMap(TopicSpec::name, Function.identity()));

    private TopicCatalog() {
    }

    /** Every topic, ingest topics first, in a stable order. */
    public static List<TopicSpec> all() {
        return ALL;
    }

    public static Optional<TopicSpec> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The topic that carries messages of one notification channel. */
    public static String channelTopic(NotificationChannel channel) {
        return switch (channel) {
            case EMAIL -> NOTIFICATIONS_EMAIL;
            case SMS -> NOTIFICATIONS_SMS;
            case PUSH -> NOTIFICATIONS_PUSH;
            case WEBHOOK -> NOTIFICATIONS_WEBHOOK;
            case UNKNOWN -> throw new IllegalArgumentException(
                    "channel UNKNOWN has no topic: the message names a channel this version does not know; dead-letter it");
        };
    }

    private static TopicSpec topic(String name, String key, Schema value, int partitions, Retention retention,
                                   String owner, List<String> consumers, String description) {
        return new TopicSpec(name, key, value, partitions, REPLICATION_FACTOR, retention, CleanupPolicy.DELETE,
                DURABLE, owner, consumers, description);
    }

    private static TopicSpec channel(String name, String channel) {
        return topic(name, "tenant:recipientId", NotificationMessage.getClassSchema(), INGEST_PARTITIONS, WEEK,
                PROCESSORS + " (notification fan-out, retry scheduler)",
                List.of(PROCESSORS + " (" + channel + " delivery worker)"),
                channel + " messages ready for delivery, rate-limited per provider");
    }

    private static TopicSpec deadLetters(String name, String owner, String description) {
        return new TopicSpec(name, SAME_KEY_AS_ORIGINAL, RejectedEvent.getClassSchema(), DEAD_LETTER_PARTITIONS,
                REPLICATION_FACTOR, DEAD_LETTER_RETENTION, CleanupPolicy.DELETE, DURABLE, owner, List.of(OPERATORS),
                description);
    }
}
