package dev.eventbackbone.processors.notifications;

import dev.eventbackbone.contracts.events.DeliveryResult;
import dev.eventbackbone.contracts.events.NotificationMessage;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.RecipientPreferences;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroSerde;
import org.apache.kafka.common.serialization.Serde;

/** The Avro serdes of the notification topics, passed in so that the service and its tests choose the registry. */
public record NotificationSerdes(Serde<NotificationRequest> requests, Serde<RecipientPreferences> preferences,
                                 Serde<NotificationMessage> messages, Serde<DeliveryResult> results,
                                 Serde<RejectedEvent> rejections) {

    public static NotificationSerdes on(SchemaRegistryClient registry) {
        return new NotificationSerdes(AvroSerde.specific(NotificationRequest.class, registry),
                AvroSerde.specific(RecipientPreferences.class, registry),
                AvroSerde.specific(NotificationMessage.class, registry),
                AvroSerde.specific(DeliveryResult.class, registry),
                AvroSerde.specific(RejectedEvent.class, registry));
    }
}
