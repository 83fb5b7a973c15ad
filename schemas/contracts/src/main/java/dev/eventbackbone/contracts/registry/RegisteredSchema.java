package dev.eventbackbone.contracts.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One version of a subject as a registry knows it.
 *
 * @param subject the subject the schema is registered under
 * @param version the subject's version number, from 1
 * @param id      the registry-wide schema id that the wire format carries
 * @param schema  the registered schema
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {

    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
