package dev.eventbackbone.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.audit.chain.ChainVerifier;
import dev.eventbackbone.audit.chain.Checkpoint;
import dev.eventbackbone.audit.chain.SigningKey;
import dev.eventbackbone.audit.store.AuditLog;
import dev.eventbackbone.audit.store.AuditQuery;
import dev.eventbackbone.audit.store.Page;
import dev.eventbackbone.audit.store.StoredRecord;
import dev.eventbackbone.contracts.auth.ApiKey;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditSeverity;
import dev.eventbackbone.service.ApiError;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The audit API. Every answer is about the caller's own tenant, taken from the API key (scope
 * {@code read:audit}); no parameter can name another tenant. Nothing here changes a record.
 */
@Path("/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public final class AuditResource {

    static final String SCOPE = "read:audit";
    static final int MAX_LIMIT = 500;
    private static final Set<String> OUTCOMES = symbols(AuditOutcome.values());
    private static final Set<String> SEVERITIES = symbols(AuditSeverity.values());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ApiKeyStore keys;
    private final AuditLog log;

    AuditResource(ApiKeyStore keys, AuditLog log) {
        this.keys = keys;
        this.log = log;
    }

    @GET
    @Path("/events")
    public ObjectNode search(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                             @QueryParam("actor") String actor, @QueryParam("action") String action,
                             @QueryParam("resource") String resource, @QueryParam("resourceType") String resourceType,
                             @QueryParam("outcome") String outcome, @QueryParam("severity") String severity,
                             @QueryParam("from") String from, @QueryParam("to") String to,
                             @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
        String tenant = tenantOf(authorization);
        int pageSize = limit == null ? 50 : limit;
        if (pageSize < 1 || pageSize > MAX_LIMIT) {
            throw ApiError.badParameter("limit", "limit must be between 1 and " + MAX_LIMIT + ", not " + limit + ".")
                    .asException();
        }
        AuditQuery query = new AuditQuery(tenant, blankToNull(actor), blankToNull(action), blankToNull(resource),
                blankToNull(resourceType), upperCaseIn("outcome", outcome, OUTCOMES),
                upperCaseIn("severity", severity, SEVERITIES), instant("from", from), instant("to", to),
                decodeCursor(cursor), pageSize);
        Page page = log.search(query);
        ObjectNode answer = NODES.objectNode();
        ArrayNode events = answer.putArray("events");
        page.records().forEach(record -> events.add(view(record)));
        answer.put("nextCursor", page.nextCursor() == null ? null : encodeCursor(page.nextCursor()));
        return answer;
    }

    @GET
    @Path("/events/{eventId}")
    public ObjectNode byEventId(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                @PathParam("eventId") String eventId) {
        String tenant = tenantOf(authorization);
        return log.byEventId(tenant, eventId).map(AuditResource::view).orElseThrow(() -> ApiError.of(404,
                "not_found", "No audit record with eventId " + eventId + " in this tenant.").asException());
    }

    @GET
    @Path("/verify")
    public ChainVerifier.Result verify(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                       @QueryParam("from") Long from, @QueryParam("to") Long to) {
        String tenant = tenantOf(authorization);
        return log.verify(tenant, sequence("from", from, 1), sequence("to", to, Long.MAX_VALUE));
    }

    @GET
    @Path("/export")
    @Produces("application/x-ndjson")
    public Response export(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                           @QueryParam("from") Long from, @QueryParam("to") Long to) {
        String tenant = tenantOf(authorization);
        long start = sequence("from", from, 1);
        long end = sequence("to", to, Long.MAX_VALUE);
        StreamingOutput body = output -> {
            BufferedOutputStream buffered = new BufferedOutputStream(output, 1 << 16);
            log.export(tenant, start, end, buffered);
            buffered.flush();
        };
        return Response.ok(body, "application/x-ndjson")
                .header("Content-Disposition", "attachment; filename=\"audit-" + tenant + ".jsonl\"").build();
    }

    @GET
    @Path("/checkpoints")
    public List<Checkpoint> checkpoints(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                        @QueryParam("from") Long from, @QueryParam("to") Long to,
                                        @QueryParam("limit") Integer limit) {
        String tenant = tenantOf(authorization);
        int pageSize = limit == null ? 100 : limit;
        if (pageSize < 1 || pageSize > MAX_LIMIT) {
            throw ApiError.badParameter("limit", "limit must be between 1 and " + MAX_LIMIT + ", not " + limit + ".")
                    .asException();
        }
        return log.checkpoints(tenant, sequence("from", from, 1), sequence("to", to, Long.MAX_VALUE), pageSize);
    }

    /** The checkpoint-signing public key; not secret, but served to key holders only like the rest. */
    @GET
    @Path("/public-key")
    public ObjectNode publicKey(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        tenantOf(authorization);
        ObjectNode answer = NODES.objectNode();
        answer.put("algorithm", SigningKey.ALGORITHM);
        answer.put("publicKeyPem", log.publicKeyPem());
        return answer;
    }

    /** The same key as PEM text, for {@code curl ... > key.pem} and {@code backbone audit verify --public-key}. */
    @GET
    @Path("/public-key.pem")
    @Produces("application/x-pem-file")
    public String publicKeyPem(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        tenantOf(authorization);
        return log.publicKeyPem();
    }

    static ObjectNode view(StoredRecord record) {
        ObjectNode node = NODES.objectNode();
        node.put("sequence", record.sequence());
        node.put("hash", record.hashHex());
        node.put("prevHash", record.previousHashHex());
        node.put("storedAt", record.storedAt());
        node.set("record", record.record());
        return node;
    }

    private String tenantOf(String authorization) {
        String secret = ApiKeyStore.bearerSecret(authorization).orElseThrow(() -> ApiError.of(401,
                "missing_api_key", "No API key: send the header 'Authorization: Bearer <api key>'.").asException());
        ApiKey key = keys.authenticate(secret).orElseThrow(() ->
                ApiError.of(401, "unknown_api_key", "The API key is not known: check it, or create one with"
                        + " `backbone keys create --scopes read:audit`.").asException());
        if (!key.allows(SCOPE)) {
            throw ApiError.of(403, "forbidden", "API key " + key.id() + " of tenant " + key.tenant()
                    + " lacks the scope '" + SCOPE + "'; its scopes are " + key.scopes() + ".").asException();
        }
        return key.tenant();
    }

    private static Set<String> symbols(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static String upperCaseIn(String field, String value, Set<String> allowed) {
        if (blankToNull(value) == null) {
            return null;
        }
        String upper = value.trim().toUpperCase(java.util.Locale.ROOT);
        if (!allowed.contains(upper)) {
            throw ApiError.badParameter(field, field + " '" + value + "' is not one of " + allowed + ".").asException();
        }
        return upper;
    }

    /** ISO-8601 instant ({@code 2026-11-30T10:15:00Z}) or epoch milliseconds. */
    private static Instant instant(String field, String value) {
        if (blankToNull(value) == null) {
            return null;
        }
        try {
            return value.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(value))
                    : Instant.parse(value);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw ApiError.badParameter(field, field + " '" + value
                    + "' is neither an ISO-8601 instant like 2026-11-30T10:15:00Z nor epoch milliseconds.")
                    .asException();
        }
    }

    private static long sequence(String field, Long value, long absent) {
        if (value == null) {
            return absent;
        }
        if (value < 1) {
            throw ApiError.badParameter(field, field + " is a sequence number, 1 or more, not " + value + ".")
                    .asException();
        }
        return value;
    }

    private static String encodeCursor(long sequence) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("s" + sequence).getBytes(StandardCharsets.UTF_8));
    }

    private static long decodeCursor(String cursor) {
        if (blankToNull(cursor) == null) {
            return Long.MAX_VALUE;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith("s")) {
                return Long.parseLong(text.substring(1));
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw ApiError.badParameter("cursor", "cursor '" + cursor + "' is not a cursor this API returned.")
                .asException();
    }
}
