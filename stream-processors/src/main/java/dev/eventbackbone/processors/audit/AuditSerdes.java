package dev.eventbackbone.processors.audit;

import dev.eventbackbone.contracts.events.AuditErasureRequest;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditSubjectKey;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroSerde;
import org.apache.kafka.common.serialization.Serde;

/** The Avro serdes of the audit topics, passed in so that the service and its tests choose the registry. */
public record AuditSerdes(Serde<AuditRawEvent> raw, Serde<AuditRecord> records, Serde<RejectedEvent> rejections,
                          Serde<AuditSubjectKey> subjectKeys, Serde<AuditErasureRequest> erasures) {

    /** Serdes on one shared registry client, registering the output schemas on first use. */
    public static AuditSerdes on(SchemaRegistryClient registry) {
        return new AuditSerdes(AvroSerde.specific(AuditRawEvent.class, registry),
                AvroSerde.specific(AuditRecord.class, registry),
                AvroSerde.specific(RejectedEvent.class, registry),
                AvroSerde.specific(AuditSubjectKey.class, registry),
                AvroSerde.specific(AuditErasureRequest.class, registry));
    }
}
