package dev.eventbackbone.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.apache.avro.Schema;

/**
 * {@code /compatibility}: would this schema be accepted under the subject's compatibility level?
 * Against {@code latest} (or no version) the level decides which versions are checked, all of
 * them for the {@code _TRANSITIVE} levels; against a numbered version only that one is checked.
 */
@Path("/compatibility/subjects/{subject}/versions")
@Produces({RegistryMediaTypes.V1_JSON_WEIGHTED, RegistryMediaTypes.DEFAULT_JSON_WEIGHTED,
        RegistryMediaTypes.JSON_WEIGHTED})
@Consumes({RegistryMediaTypes.V1_JSON, RegistryMediaTypes.DEFAULT_JSON, RegistryMediaTypes.JSON,
        RegistryMediaTypes.OCTET_STREAM})
public final class CompatibilityResource {

    private final SchemaStore store;
    private final ObjectMapper json;

    CompatibilityResource(SchemaStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    @POST
    public Verdict againstLevel(@PathParam("subject") String subject,
                                @QueryParam("verbose") boolean verbose,
                                String body) {
        Schema candidate = SchemaRequest.parseAvro(json, body);
        List<Schema> earlier = store.index().versions(subject, false).stream().map(StoredVersion::parsed).toList();
        return Verdict.of(store.effectiveCompatibility(subject).violations(candidate, earlier), verbose);
    }

    @POST
    @Path("/{version}")
    public Verdict againstVersion(@PathParam("subject") String subject,
                                  @PathParam("version") String version,
                                  @QueryParam("verbose") boolean verbose,
                                  String body) {
        if (VersionSelector.isLatest(version)) {
            return againstLevel(subject, verbose, body);
        }
        Schema candidate = SchemaRequest.parseAvro(json, body);
        StoredVersion earlier = VersionSelector.select(store.index(), subject, version, false);
        return Verdict.of(store.effectiveCompatibility(subject).against(candidate, earlier.parsed()), verbose);
    }

    /** {@code {"is_compatible": ...}}, with the reasons in {@code messages} when asked {@code ?verbose=true}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Verdict(@JsonProperty("is_compatible") boolean compatible, List<String> messages) {
        static Verdict of(List<String> violations, boolean verbose) {
            return new Verdict(violations.isEmpty(), verbose ? violations : null);
        }
    }
}
