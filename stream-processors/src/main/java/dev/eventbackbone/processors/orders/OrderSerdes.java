package dev.eventbackbone.processors.orders;

import dev.eventbackbone.contracts.events.InventoryReservation;
import dev.eventbackbone.contracts.events.InventoryUpdate;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.PaymentRequest;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.ReservationResult;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroSerde;
import org.apache.kafka.common.serialization.Serde;

/** The Avro serdes of the order topics, passed in so that the service and its tests choose the registry. */
public record OrderSerdes(Serde<OrderCommand> commands, Serde<OrderEvent> events, Serde<InventoryUpdate> updates,
                          Serde<InventoryReservation> reservations, Serde<ReservationResult> results,
                          Serde<PaymentRequest> payments, Serde<NotificationRequest> notifications,
                          Serde<RejectedEvent> rejections) {

    public static OrderSerdes on(SchemaRegistryClient registry) {
        return new OrderSerdes(AvroSerde.specific(OrderCommand.class, registry),
                AvroSerde.specific(OrderEvent.class, registry),
                AvroSerde.specific(InventoryUpdate.class, registry),
                AvroSerde.specific(InventoryReservation.class, registry),
                AvroSerde.specific(ReservationResult.class, registry),
                AvroSerde.specific(PaymentRequest.class, registry),
                AvroSerde.specific(NotificationRequest.class, registry),
                AvroSerde.specific(RejectedEvent.class, registry));
    }
}
