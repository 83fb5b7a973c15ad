package dev.eventbackbone.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.evidence.SigningKey;
import dev.eventbackbone.audit.merkle.TreeHash;
import dev.eventbackbone.audit.store.AuditLog;
import dev.eventbackbone.audit.store.AuditQuery;
import dev.eventbackbone.audit.store.Exporter;
import dev.eventbackbone.audit.store.Page;
import dev.eventbackbone.audit.store.StoredLeaf;
import dev.eventbackbone.audit.store.SubjectKeyring;
import dev.eventbackbone.audit.store.TreeProofs;
import dev.eventbackbone.audit.store.Verification;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditSeverity;
import dev.eventbackbone.service.ApiError;
import dev.eventbackbone.service.ApiKeyAuthorization;
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
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The audit API. Every answer is about the caller's own tenant, taken from the API key (scope
 * {@code read:audit}); no parameter can name another tenant. Nothing here changes a record. The
 * signing keys are public and need no API key.
 */
@Path("/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public final class AuditResource {

    static final String SCOPE = "read:audit";
    static final int MAX_LIMIT = 500;
    private static final Set<String> OUTCOMES = symbols(AuditOutcome.values());
    private static final Set<String> SEVERITIES = symbols(AuditSeverity.values());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiKeyStore keys;
    private final AuditLog log;
    private final Duration headInterval;

    AuditResource(ApiKeyStore keys, AuditLog log, Duration headInterval) {
        this.keys = keys;
        this.log = log;
        this.headInterval = headInterval;
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
        int pageSize = limit(limit, 50);
        AuditQuery query = new AuditQuery(tenant, blankToNull(actor), blankToNull(action), blankToNull(resource),
                blankToNull(resourceType), upperCaseIn("outcome", outcome, OUTCOMES),
                upperCaseIn("severity", severity, SEVERITIES), instant("from", from), instant("to", to),
                decodeCursor(cursor), pageSize);
        Page page = log.searcher().search(query);
        ObjectNode answer = NODES.objectNode();
        ArrayNode events = answer.putArray("events");
        page.leaves().forEach(leaf -> events.add(view(leaf, log.keyring())));
        answer.put("nextCursor", page.nextCursor() == null ? null : encodeCursor(page.nextCursor()));
        return answer;
    }

    @GET
    @Path("/events/{eventId}")
    public ObjectNode byEventId(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                @PathParam("eventId") String eventId) {
        String tenant = tenantOf(authorization);
        return log.searcher().byEventId(tenant, eventId).map(leaf -> view(leaf, log.keyring())).orElseThrow(() -> ApiError.of(404,
                "not_found", "No audit record with eventId " + eventId + " in this tenant.").asException());
    }

    @GET
    @Path("/verify")
    public Verification.Result verify(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return log.verification().verify(tenantOf(authorization));
    }

    /**
     * The tenant's leaves from {@code from} (a leaf index, default 0) to the tree's size now, as JSON
     * Lines, ending with a head signed for this export (docs/audit.md).
     */
    @GET
    @Path("/export")
    @Produces("application/x-ndjson")
    public Response export(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                           @QueryParam("from") Long from) {
        String tenant = tenantOf(authorization);
        long start = index("from", from, 0);
        StreamingOutput body = output -> {
            BufferedOutputStream buffered = new BufferedOutputStream(output, 1 << 16);
            log.exporter().export(tenant, start, buffered);
            buffered.flush();
        };
        return Response.ok(body, "application/x-ndjson")
                .header("Content-Disposition", "attachment; filename=\"audit-" + tenant + ".jsonl\"").build();
    }

    /** The newest signed head of the caller's tenant. */
    @GET
    @Path("/heads/latest")
    public Map<String, Object> latestHead(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String tenant = tenantOf(authorization);
        return log.heads().latest(tenant).map(SignedTreeHead::toMap).orElseThrow(() -> ApiError.of(404, "no_head",
                "No head is signed for this tenant yet: its log is empty, or its first head is signed within "
                        + retryAfterSeconds() + " s.").retryAfter(retryAfterSeconds()).asException());
    }

    /** The tenant's signed heads, newest first; {@code before} (epoch milliseconds, exclusive) pages back. */
    @GET
    @Path("/heads")
    public List<Map<String, Object>> heads(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                           @QueryParam("before") Long before, @QueryParam("limit") Integer limit) {
        String tenant = tenantOf(authorization);
        return log.heads().list(tenant, before == null ? Long.MAX_VALUE : before, limit(limit, 100)).stream()
                .map(SignedTreeHead::toMap).toList();
    }

    /**
     * The audit path of one leaf (by {@code eventId}, or by {@code index}) in the tree of the newest
     * signed head, or of {@code treeSize} leaves; with that head, so the answer verifies offline.
     */
    @GET
    @Path("/proofs/inclusion")
    public Map<String, Object> inclusion(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                         @QueryParam("eventId") String eventId, @QueryParam("index") Long index,
                                         @QueryParam("treeSize") Long treeSize) {
        String tenant = tenantOf(authorization);
        long leaf;
        if (blankToNull(eventId) != null) {
            leaf = log.proofs().indexOf(tenant, eventId).orElseThrow(() -> ApiError.of(404, "not_found",
                    "No audit record with eventId " + eventId + " in this tenant.", "eventId").asException());
        } else if (index != null) {
            leaf = index("index", index, 0);
        } else {
            throw ApiError.badParameter("eventId", "Name the leaf: eventId=<id> or index=<leaf index>.").asException();
        }
        SignedTreeHead head = headFor(tenant, treeSize);
        if (leaf >= head.treeSize()) {
            throw ApiError.of(409, "not_yet_signed", "Leaf " + leaf + " is stored, but the newest signed head covers"
                    + " only " + head.treeSize() + " leaves; a head that covers it is signed within "
                    + retryAfterSeconds() + " s.", "eventId").retryAfter(retryAfterSeconds()).asException();
        }
        TreeProofs.Inclusion proof = log.proofs().inclusion(tenant, leaf, head.treeSize());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("type", "inclusion");
        answer.put("leafIndex", proof.leafIndex());
        answer.put("treeSize", proof.treeSize());
        answer.put("leafHash", TreeHash.hex(proof.leafHash()));
        answer.put("auditPath", proof.path().stream().map(TreeHash::hex).toList());
        answer.put("head", head.toMap());
        log.searcher().leaf(tenant, leaf).ifPresent(stored -> answer.put("leaf", stored.content()));
        return answer;
    }

    /**
     * The proof that the tree of {@code from} leaves is a prefix of the tree of {@code to} leaves
     * (default: the newest signed head), with the signed heads at both sizes when the store has them.
     */
    @GET
    @Path("/proofs/consistency")
    public Map<String, Object> consistency(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                           @QueryParam("from") Long from, @QueryParam("to") Long to) {
        String tenant = tenantOf(authorization);
        if (from == null) {
            throw ApiError.badParameter("from", "from is the tree size of the older head you hold.").asException();
        }
        SignedTreeHead newer = headFor(tenant, to);
        long first = index("from", from, 0);
        if (first > newer.treeSize()) {
            throw ApiError.badParameter("from", "from (" + first + ") is larger than to (" + newer.treeSize() + ").")
                    .asException();
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("type", "consistency");
        answer.put("firstTreeSize", first);
        answer.put("secondTreeSize", newer.treeSize());
        answer.put("firstRootHash", TreeHash.hex(log.proofs().root(tenant, first)));
        answer.put("proof", log.proofs().consistency(tenant, first, newer.treeSize()).stream().map(TreeHash::hex)
                .toList());
        answer.put("head", newer.toMap());
        return answer;
    }

    /**
     * The newest head, or the newest one signed at exactly {@code treeSize}; a size that no head
     * covers gets a head signed now only when it is the current size.
     */
    private SignedTreeHead headFor(String tenant, Long treeSize) {
        SignedTreeHead latest = log.heads().latest(tenant).orElseGet(() -> log.heads().signNow(tenant));
        if (treeSize == null || treeSize == latest.treeSize()) {
            return latest;
        }
        long size = index("treeSize", treeSize, 0);
        if (size > latest.treeSize()) {
            if (size <= log.appender().treeSize(tenant)) {
                SignedTreeHead now = log.heads().signNow(tenant);
                if (now.treeSize() == size) {
                    return now;
                }
            }
            throw ApiError.badParameter("treeSize", "No signed head covers " + size + " leaves; the newest covers "
                    + latest.treeSize() + ".").asException();
        }
        return log.heads().all(tenant).stream().filter(head -> head.treeSize() == size).findFirst()
                .orElseThrow(() -> ApiError.badParameter("treeSize", "No head was signed at exactly " + size
                        + " leaves; use the size of a head you hold (GET /v1/audit/heads).").asException());
    }

    /** When the next regular head is due, in whole seconds, for {@code Retry-After}. */
    private int retryAfterSeconds() {
        return (int) Math.max(1, (headInterval.toMillis() + 999) / 1000);
    }

    /** The keys that sign this store's heads, oldest first, each new one endorsed by the one before. Public. */
    @GET
    @Path("/keys")
    public Map<String, Object> keys() {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("currentKeyId", log.heads().key().keyId());
        answer.put("keys", log.heads().history().describe(log.heads().key()));
        return answer;
    }

    /** The current signing key, as JSON. Public: a public key is not a secret. */
    @GET
    @Path("/public-key")
    public ObjectNode publicKey() {
        ObjectNode answer = NODES.objectNode();
        answer.put("algorithm", SigningKey.ALGORITHM);
        answer.put("keyId", log.heads().key().keyId());
        answer.put("publicKeyPem", log.heads().key().publicKeyPem());
        return answer;
    }

    /** The same key as PEM text, for {@code curl ... > key.pem} and {@code backbone audit verify --public-key}. */
    @GET
    @Path("/public-key.pem")
    @Produces("application/x-pem-file")
    public String publicKeyPem() {
        return log.heads().key().publicKeyPem();
    }

    /**
     * A leaf as the API shows it: the record with its sealed personal fields opened in place, and
     * {@code personal} saying whether they could be, or were erased and when. The leaf exactly as its
     * hash covers it, ciphertext and all, is in the export.
     */
    static ObjectNode view(StoredLeaf leaf, SubjectKeyring keyring) {
        ObjectNode node = NODES.objectNode();
        node.put("index", leaf.index());
        node.put("leafHash", TreeHash.hex(leaf.leafHash()));
        node.put("storedAt", leaf.storedAt());
        if (leaf.rejection()) {
            node.set("rejection", leaf.content().get("rejection"));
            return node;
        }
        if (!leaf.sealed()) {
            node.set("record", leaf.content());
            return node;
        }
        SubjectKeyring.Personal personal = keyring.personalOf(leaf.tenantId(), leaf.content());
        ObjectNode record = leaf.content().deepCopy();
        record.remove("sealed");
        if (personal instanceof SubjectKeyring.Readable readable) {
            readable.fields().toMap().forEach(record::put);
        }
        node.set("record", record);
        Map<String, Object> state = new LinkedHashMap<>(Exporter.personal(personal));
        state.remove("fields");
        state.remove("subjectKey");
        node.set("personal", JSON.valueToTree(state));
        return node;
    }

    private String tenantOf(String authorization) {
        return ApiKeyAuthorization.require(keys, authorization, SCOPE).tenant();
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

    private static long index(String field, Long value, long absent) {
        if (value == null) {
            return absent;
        }
        if (value < 0) {
            throw ApiError.badParameter(field, field + " is a leaf index or tree size, 0 or more, not " + value + ".")
                    .asException();
        }
        return value;
    }

    private static int limit(Integer limit, int absent) {
        int pageSize = limit == null ? absent : limit;
        if (pageSize < 1 || pageSize > MAX_LIMIT) {
            throw ApiError.badParameter("limit", "limit must be between 1 and " + MAX_LIMIT + ", not " + limit + ".")
                    .asException();
        }
        return pageSize;
    }

    private static String encodeCursor(long index) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("i" + index).getBytes(StandardCharsets.UTF_8));
    }

    private static long decodeCursor(String cursor) {
        if (blankToNull(cursor) == null) {
            return Long.MAX_VALUE;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith("i")) {
                return Long.parseLong(text.substring(1));
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw ApiError.badParameter("cursor", "cursor '" + cursor + "' is not a cursor this API returned.")
                .asException();
    }
}
