package dev.eventbackbone.registry;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.util.Map;

/** {@code GET /} answers {@code {}}, as Confluent's registry does; clients use it as a ping. */
@Path("/")
@Produces({RegistryMediaTypes.V1_JSON_WEIGHTED, RegistryMediaTypes.DEFAULT_JSON_WEIGHTED,
        RegistryMediaTypes.JSON_WEIGHTED})
public final class RootResource {

    RootResource() {
    }

    @GET
    public Map<String, Object> root() {
        return Map.of();
    }
}
