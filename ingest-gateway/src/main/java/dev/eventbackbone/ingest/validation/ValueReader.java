package dev.eventbackbone.ingest.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.Set;

/** Converts a JSON value to the Avro value of one schema. Built once per schema, so immutable and shared. */
interface ValueReader {

    /**
     * The Avro value, as {@code GenericDatumWriter} writes it. When the JSON value does not fit, the
     * reader reports why to the conversion, and whatever it returns is discarded with the event.
     */
    Object read(JsonNode value, Conversion conversion);

    /** How error messages name what this reader accepts: {@code int}, {@code OrderItem object}, ... */
    String expectation();

    /** The JSON kinds this reader can convert; a union picks its branch by them. */
    Set<JsonNodeType> kinds();
}
