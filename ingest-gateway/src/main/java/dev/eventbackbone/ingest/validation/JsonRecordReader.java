package dev.eventbackbone.ingest.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * Converts a JSON event to an Avro record of one schema, or says precisely what is wrong with it.
 *
 * <p>The conversion is strict so that what reaches Kafka is what the caller meant: no coercion
 * between strings and numbers, no unknown fields dropped, and every error named by its path
 * ({@code items[2].quantity: expected int, got string}). All errors are collected, up to 100, so a
 * caller fixes a body in one round trip. Missing fields that have a default take it. Timestamps
 * ({@code timestamp-millis}) also accept ISO-8601 with an offset.
 *
 * <p>Build one per schema and share it: everything that depends only on the schema is worked out
 * here once, and {@link #read} is thread-safe.
 */
public final class JsonRecordReader {

    private final ValueReader recordReader;

    public JsonRecordReader(Schema recordSchema) {
        if (recordSchema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("Events are JSON objects, so their schema must be a record, not "
                    + recordSchema.getType() + ": " + recordSchema.getFullName());
        }
        this.recordReader = ValueReaders.forSchema(recordSchema);
    }

    public Result read(JsonNode event) {
        Objects.requireNonNull(event, "event");
        Conversion conversion = new Conversion();
        Object record = recordReader.read(event, conversion);
        return conversion.hasErrors()
                ? new Result.Rejected(conversion.errors())
                : new Result.Converted((GenericData.Record) record);
    }

    /** Either the record or why there is none. */
    public sealed interface Result {

        /** A record that {@code GenericDatumWriter} writes with the reader's schema. */
        record Converted(GenericData.Record record) implements Result {
        }

        /** At least one error, in the order met: fields in schema order, then unknown fields. */
        record Rejected(List<FieldError> errors) implements Result {

            public Rejected {
                errors = List.copyOf(errors);
            }
        }
    }
}
