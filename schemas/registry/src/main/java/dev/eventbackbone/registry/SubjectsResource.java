package dev.eventbackbone.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * {@code /subjects}: register, look up, list and delete schemas by subject. Query parameters that
 * Confluent clients send but that do not change the answer here ({@code normalize},
 * {@code format}) are ignored, as is any other unknown parameter.
 */
@Path("/subjects")
@Produces({RegistryMediaTypes.V1_JSON_WEIGHTED, RegistryMediaTypes.DEFAULT_JSON_WEIGHTED,
        RegistryMediaTypes.JSON_WEIGHTED})
@Consumes({RegistryMediaTypes.V1_JSON, RegistryMediaTypes.DEFAULT_JSON, RegistryMediaTypes.JSON,
        RegistryMediaTypes.OCTET_STREAM})
public final class SubjectsResource {

    private final SchemaStore store;
    private final ObjectMapper json;

    SubjectsResource(SchemaStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    @GET
    public List<String> subjects(@QueryParam("subjectPrefix") @DefaultValue("") String subjectPrefix,
                                 @QueryParam("deleted") boolean deleted) {
        return store.index().subjects(subjectPrefix, deleted);
    }

    @POST
    @Path("/{subject}/versions")
    public Map<String, Integer> register(@PathParam("subject") String subject,
                                         String body) {
        Schema schema = SchemaRequest.parseAvro(json, body);
        return Map.of("id", store.register(subject, schema));
    }

    @POST
    @Path("/{subject}")
    public SubjectVersion lookUp(@PathParam("subject") String subject,
                                 @QueryParam("deleted") boolean deleted,
                                 @QueryParam("lookupDeletedSchema") boolean lookupDeletedSchema,
                                 String body) {
        String canonical = SchemaRequest.parseAvro(json, body).toString();
        List<StoredVersion> versions = store.index().versions(subject, deleted || lookupDeletedSchema);
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return versions.stream()
                .filter(stored -> stored.schema().equals(canonical))
                .findFirst()
                .map(SubjectVersion::of)
                .orElseThrow(() -> RegistryException.schemaNotFound(
                        "subject '" + subject + "' has no version with this schema."));
    }

    @GET
    @Path("/{subject}/versions")
    public List<Integer> versions(@PathParam("subject") String subject,
                                  @QueryParam("deleted") boolean deleted) {
        List<Integer> versions = store.index().versions(subject, deleted).stream()
                .map(StoredVersion::version)
                .toList();
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return versions;
    }

    @GET
    @Path("/{subject}/versions/{version}")
    public SubjectVersion version(@PathParam("subject") String subject,
                                  @PathParam("version") String version,
                                  @QueryParam("deleted") boolean deleted) {
        return SubjectVersion.of(VersionSelector.select(store.index(), subject, version, deleted));
    }

    /** The schema itself, not wrapped in an object, as Confluent's {@code /schema} suffix returns it. */
    @GET
    @Path("/{subject}/versions/{version}/schema")
    public JsonNode rawSchema(@PathParam("subject") String subject,
                              @PathParam("version") String version,
                              @QueryParam("deleted") boolean deleted) throws IOException {
        return json.readTree(VersionSelector.select(store.index(), subject, version, deleted).schema());
    }

    /**
     * Soft-deletes every version of a subject (ids keep resolving); with {@code ?permanent=true}
     * removes versions that were soft-deleted before.
     */
    @DELETE
    @Path("/{subject}")
    public List<Integer> deleteSubject(@PathParam("subject") String subject,
                                       @QueryParam("permanent") boolean permanent) {
        return store.deleteSubject(subject, permanent);
    }

    @DELETE
    @Path("/{subject}/versions/{version}")
    public int deleteVersion(@PathParam("subject") String subject,
                             @PathParam("version") String version,
                             @QueryParam("permanent") boolean permanent) {
        return store.deleteVersion(subject, version, permanent);
    }

    /** One subject version as Confluent returns it; {@code schemaType} is omitted for AVRO, as there. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SubjectVersion(String subject, int version, int id, String schema) {
        static SubjectVersion of(StoredVersion stored) {
            return new SubjectVersion(stored.subject(), stored.version(), stored.id(), stored.schema());
        }
    }
}
