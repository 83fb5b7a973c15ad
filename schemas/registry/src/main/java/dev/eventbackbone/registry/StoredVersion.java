package dev.eventbackbone.registry;

import org.apache.avro.Schema;

/** One version of a subject as the schemas topic holds it; {@code schema} is the canonical text. */
record StoredVersion(String subject, int version, int id, String schema, boolean deleted) {

    Schema parsed() {
        return new Schema.Parser().parse(schema);
    }
}
