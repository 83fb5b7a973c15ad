package dev.eventbackbone.registry;

/**
 * The content types Confluent's registry speaks. The {@code qs} weights make the server answer
 * in the versioned type when a client accepts several, as Confluent's server does.
 */
final class RegistryMediaTypes {

    static final String V1_JSON = "application/vnd.schemaregistry.v1+json";
    static final String DEFAULT_JSON = "application/vnd.schemaregistry+json";
    static final String JSON = "application/json";
    static final String OCTET_STREAM = "application/octet-stream";

    static final String V1_JSON_WEIGHTED = V1_JSON + ";qs=1";
    static final String DEFAULT_JSON_WEIGHTED = DEFAULT_JSON + ";qs=0.9";
    static final String JSON_WEIGHTED = JSON + ";qs=0.5";

    private RegistryMediaTypes() {
    }
}
