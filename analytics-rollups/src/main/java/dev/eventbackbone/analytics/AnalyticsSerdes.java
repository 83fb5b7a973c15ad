package dev.eventbackbone.analytics;

import dev.eventbackbone.contracts.events.AnalyticsEvent;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroSerde;
import org.apache.kafka.common.serialization.Serde;

/** The Avro serdes of the topics the rollups read and the dead letters they write. */
public record AnalyticsSerdes(Serde<AnalyticsEvent> events, Serde<OrderEvent> orders, Serde<AuditRecord> audit,
                              Serde<RejectedEvent> rejections) {

    public static AnalyticsSerdes on(SchemaRegistryClient registry) {
        return new AnalyticsSerdes(AvroSerde.specific(AnalyticsEvent.class, registry),
                AvroSerde.specific(OrderEvent.class, registry), AvroSerde.specific(AuditRecord.class, registry),
                AvroSerde.specific(RejectedEvent.class, registry));
    }
}
