package dev.eventbackbone.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The body of a register, lookup or compatibility request:
 * {@code {"schema": "...", "schemaType": "AVRO", "references": []}}. Fields newer clients add
 * (metadata, ruleSet, id, version) are ignored; a missing {@code schemaType} means AVRO.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record SchemaRequest(String schema, String schemaType, List<Object> references) {

    static Schema parseAvro(ObjectMapper json, String body) {
        SchemaRequest request;
        try {
            request = json.readValue(body == null ? "" : body, SchemaRequest.class);
        } catch (JsonProcessingException e) {
            throw RegistryException.badRequest("The request body is not a JSON object like"
                    + " {\"schema\": \"...\"}: " + e.getOriginalMessage(), e);
        }
        if (request == null || request.schema() == null || request.schema().isBlank()) {
            throw RegistryException.invalidSchema("Empty schema: the request body needs a \"schema\" field"
                    + " holding the Avro schema as a JSON string.", null);
        }
        if (request.schemaType() != null && !"AVRO".equalsIgnoreCase(request.schemaType())) {
            throw RegistryException.invalidSchema("Schema type '" + request.schemaType()
                    + "' is not supported; this registry holds AVRO schemas only.", null);
        }
        if (request.references() != null && !request.references().isEmpty()) {
            throw RegistryException.invalidSchema("Schema references are not supported by this registry;"
                    + " inline the referenced named types into the schema.", null);
        }
        try {
            return new Schema.Parser().parse(request.schema());
        } catch (RuntimeException e) {
            throw RegistryException.invalidSchema("Invalid schema: " + e.getMessage(), e);
        }
    }
}
