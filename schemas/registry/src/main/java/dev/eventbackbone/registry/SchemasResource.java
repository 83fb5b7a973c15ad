package dev.eventbackbone.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/**
 * {@code /schemas}: schemas by their global id, as deserializers fetch them. {@code ?subject=}
 * is accepted and ignored: ids are global here, so the subject does not change the answer.
 */
@Path("/schemas")
@Produces({RegistryMediaTypes.V1_JSON_WEIGHTED, RegistryMediaTypes.DEFAULT_JSON_WEIGHTED,
        RegistryMediaTypes.JSON_WEIGHTED})
public final class SchemasResource {

    private final SchemaStore store;

    SchemasResource(SchemaStore store) {
        this.store = store;
    }

    @GET
    @Path("/ids/{id}")
    public SchemaById schema(@PathParam("id") int id, @QueryParam("fetchMaxId") boolean fetchMaxId) {
        String schema = store.index().schemaById(id).orElseThrow(() -> unknownId(id));
        return new SchemaById(schema, fetchMaxId ? store.index().maxId() : null);
    }

    @GET
    @Path("/ids/{id}/versions")
    public List<SubjectAndVersion> versions(@PathParam("id") int id) {
        return uses(id).stream().map(stored -> new SubjectAndVersion(stored.subject(), stored.version())).toList();
    }

    @GET
    @Path("/ids/{id}/subjects")
    public List<String> subjects(@PathParam("id") int id) {
        return uses(id).stream().map(StoredVersion::subject).distinct().toList();
    }

    @GET
    @Path("/types")
    public List<String> types() {
        return List.of("AVRO");
    }

    private List<StoredVersion> uses(int id) {
        List<StoredVersion> uses = store.index().usesOf(id);
        if (uses.isEmpty()) {
            throw unknownId(id);
        }
        return uses;
    }

    private static RegistryException unknownId(int id) {
        return RegistryException.schemaNotFound("no schema has id " + id + ".");
    }

    /** {@code {"schema": "..."}}, plus {@code maxId} when asked with {@code ?fetchMaxId=true}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SchemaById(String schema, Integer maxId) {
    }

    public record SubjectAndVersion(String subject, int version) {
    }
}
