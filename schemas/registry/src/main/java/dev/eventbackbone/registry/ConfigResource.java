package dev.eventbackbone.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /config}: the global and per-subject compatibility levels. As in Confluent's API, GET
 * answers {@code {"compatibilityLevel": ...}} while PUT takes and answers
 * {@code {"compatibility": ...}}.
 */
@Path("/config")
@Produces({RegistryMediaTypes.V1_JSON_WEIGHTED, RegistryMediaTypes.DEFAULT_JSON_WEIGHTED,
        RegistryMediaTypes.JSON_WEIGHTED})
@Consumes({RegistryMediaTypes.V1_JSON, RegistryMediaTypes.DEFAULT_JSON, RegistryMediaTypes.JSON,
        RegistryMediaTypes.OCTET_STREAM})
public final class ConfigResource {

    private final SchemaStore store;
    private final ObjectMapper json;

    ConfigResource(SchemaStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    @GET
    public Map<String, String> global() {
        return Map.of("compatibilityLevel", store.globalCompatibility().name());
    }

    @PUT
    public Map<String, String> setGlobal(String body) {
        CompatibilityLevel level = parse(body);
        store.setCompatibility(null, level);
        return Map.of("compatibility", level.name());
    }

    @GET
    @Path("/{subject}")
    public Map<String, String> subject(@PathParam("subject") String subject,
                                       @QueryParam("defaultToGlobal") boolean defaultToGlobal) {
        CompatibilityLevel level = store.index().subjectLevel(subject)
                .or(() -> defaultToGlobal ? Optional.of(store.globalCompatibility()) : Optional.empty())
                .orElseThrow(() -> RegistryException.subjectCompatibilityNotConfigured(subject));
        return Map.of("compatibilityLevel", level.name());
    }

    @PUT
    @Path("/{subject}")
    public Map<String, String> setSubject(@PathParam("subject") String subject, String body) {
        CompatibilityLevel level = parse(body);
        store.setCompatibility(subject, level);
        return Map.of("compatibility", level.name());
    }

    /** Removes the subject's own level, so the global one applies again; answers the removed level. */
    @DELETE
    @Path("/{subject}")
    public Map<String, String> deleteSubject(@PathParam("subject") String subject) {
        CompatibilityLevel removed = store.deleteCompatibility(subject)
                .orElseThrow(() -> RegistryException.subjectCompatibilityNotConfigured(subject));
        return Map.of("compatibilityLevel", removed.name());
    }

    private CompatibilityLevel parse(String body) {
        LevelRequest request;
        try {
            request = json.readValue(body == null ? "" : body, LevelRequest.class);
        } catch (JsonProcessingException e) {
            throw RegistryException.badRequest("The request body is not a JSON object like"
                    + " {\"compatibility\": \"BACKWARD\"}: " + e.getOriginalMessage(), e);
        }
        try {
            return CompatibilityLevel.parse(request == null ? null : request.compatibility());
        } catch (IllegalArgumentException e) {
            throw RegistryException.invalidCompatibilityLevel(e.getMessage());
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record LevelRequest(String compatibility) {
    }
}
