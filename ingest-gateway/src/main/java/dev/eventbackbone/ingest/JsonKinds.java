package dev.eventbackbone.ingest;

import com.fasterxml.jackson.databind.JsonNode;

/** The JSON kind of a value, as error messages name it. */
final class JsonKinds {

    private JsonKinds() {
    }

    static String of(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case OBJECT, POJO -> "object";
            case ARRAY -> "array";
            case STRING, BINARY -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL, MISSING -> "null";
        };
    }
}
