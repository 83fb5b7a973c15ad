package dev.eventbackbone.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a caller can learn about the gateway: its streams ({@code /v1/streams}) and its OpenAPI document. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public final class MetadataResource {

    private final ApiKeyStore keys;
    private final ObjectMapper mapper;
    private final ObjectNode openApi;

    MetadataResource(ApiKeyStore keys, ObjectMapper mapper) {
        this.keys = keys;
        this.mapper = mapper;
        this.openApi = OpenApiDocument.build(mapper);
    }

    @GET
    @Path("v1/streams")
    public List<Map<String, Object>> streams(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Caller.authenticate(keys, authorization);
        List<Map<String, Object>> streams = new ArrayList<>();
        for (IngestStream stream : IngestStream.values()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", stream.streamName());
            entry.put("topic", stream.topic());
            entry.put("key", stream.keyDescription());
            entry.put("subject", stream.topic() + "-value");
            entry.put("scope", stream.scope());
            entry.put("schema", schemaJson(stream));
            streams.add(entry);
        }
        return streams;
    }

    @GET
    @Path("openapi.json")
    public ObjectNode openApi() {
        return openApi;
    }

    private JsonNode schemaJson(IngestStream stream) {
        try {
            return mapper.readTree(stream.schema().toString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Avro printed a schema that is not JSON", e);
        }
    }
}
