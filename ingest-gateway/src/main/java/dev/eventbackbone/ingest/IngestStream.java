package dev.eventbackbone.ingest;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.AnalyticsEvent;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.InventoryUpdate;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.RecipientPreferences;
import java.util.Arrays;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * The streams a caller may post to (DESIGN.md, "Ingest streams"): the HTTP name, the topic, the
 * value schema and how the Kafka key is made, always prefixed with the tenant so one tenant's
 * events never share an ordering key with another's.
 */
enum IngestStream {

    AUDIT("audit", TopicCatalog.AUDIT_RAW, AuditRawEvent.getClassSchema(), "tenant + actor id") {
        @Override
        String keyPart(GenericRecord event) {
            Object actor = event.get("actor");
            return actor instanceof GenericRecord record ? String.valueOf(record.get("id")) : String.valueOf(actor);
        }
    },
    ORDERS("orders", TopicCatalog.ORDERS_COMMANDS, OrderCommand.getClassSchema(), "tenant + customer id") {
        @Override
        String keyPart(GenericRecord event) {
            return String.valueOf(event.get("customerId"));
        }
    },
    INVENTORY("inventory", TopicCatalog.INVENTORY_UPDATES, InventoryUpdate.getClassSchema(), "tenant + sku") {
        @Override
        String keyPart(GenericRecord event) {
            return String.valueOf(event.get("sku"));
        }
    },
    NOTIFICATIONS("notifications", TopicCatalog.NOTIFICATIONS_REQUESTS, NotificationRequest.getClassSchema(),
            "tenant + recipient id") {
        @Override
        String keyPart(GenericRecord event) {
            return String.valueOf(event.get("recipientId"));
        }
    },
    PREFERENCES("preferences", TopicCatalog.NOTIFICATIONS_PREFERENCES, RecipientPreferences.getClassSchema(),
            "tenant + recipient id") {
        @Override
        String keyPart(GenericRecord event) {
            return String.valueOf(event.get("recipientId"));
        }
    },
    ANALYTICS("analytics", TopicCatalog.ANALYTICS_EVENTS, AnalyticsEvent.getClassSchema(),
            "tenant + user id (event id when absent)") {
        @Override
        String keyPart(GenericRecord event) {
            Object userId = event.get("userId");
            return String.valueOf(userId != null ? userId : event.get("eventId"));
        }
    };

    private final String streamName;
    private final String topic;
    private final Schema schema;
    private final String keyDescription;

    IngestStream(String streamName, String topic, Schema schema, String keyDescription) {
        this.streamName = streamName;
        this.topic = topic;
        this.schema = schema;
        this.keyDescription = keyDescription;
    }

    static Optional<IngestStream> byName(String name) {
        return Arrays.stream(values()).filter(stream -> stream.streamName.equals(name)).findFirst();
    }

    String streamName() {
        return streamName;
    }

    String topic() {
        return topic;
    }

    Schema schema() {
        return schema;
    }

    String keyDescription() {
        return keyDescription;
    }

    /** The scope an API key needs to post to this stream. */
    String scope() {
        return "ingest:" + streamName;
    }

    /** The Kafka key, {@code <tenant>:<id>}, of a complete (stamped and validated) event. */
    String kafkaKey(GenericRecord event) {
        return event.get("tenantId") + ":" + keyPart(event);
    }

    abstract String keyPart(GenericRecord event);
}
