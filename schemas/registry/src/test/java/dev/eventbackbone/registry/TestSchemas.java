package dev.eventbackbone.registry;

/** Avro record schemas for tests, written the way people write them. */
final class TestSchemas {

    private TestSchemas() {
    }

    /** A record schema named {@code dev.eventbackbone.test.<name>} with the given field definitions. */
    static String record(String name, String... fields) {
        return "{\"type\": \"record\", \"name\": \"" + name + "\", \"namespace\": \"dev.eventbackbone.test\","
                + " \"fields\": [" + String.join(", ", fields) + "]}";
    }

    static String field(String name, String type) {
        return "{\"name\": \"" + name + "\", \"type\": " + type + "}";
    }

    static String fieldWithDefault(String name, String type, String defaultJson) {
        return "{\"name\": \"" + name + "\", \"type\": " + type + ", \"default\": " + defaultJson + "}";
    }
}
