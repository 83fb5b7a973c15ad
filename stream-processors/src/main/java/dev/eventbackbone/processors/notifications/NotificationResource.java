package dev.eventbackbone.processors.notifications;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.service.ApiError;
import dev.eventbackbone.service.ApiKeyAuthorization;
import dev.eventbackbone.service.LocalStores;
import dev.eventbackbone.service.QueryRouter;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * {@code GET /v1/notifications/{eventId}} (scope {@code read:notifications}, the caller's tenant
 * only): each channel's status and attempts from the fan-out's ledger. The ledger is kept in the
 * partition of the recipient, which the event id does not tell, so the instance asked looks in
 * its own partitions and then asks each other instance (through {@link QueryRouter}) until one has it.
 */
@Path("/v1/notifications")
@Produces(MediaType.APPLICATION_JSON)
public final class NotificationResource {

    static final String SCOPE = "read:notifications";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> FINAL = Set.of("DELIVERED", "FAILED", "DEAD_LETTERED", "SUPPRESSED");

    private final ApiKeyStore keys;
    private final Supplier<KafkaStreams> streams;
    private final QueryRouter router;
    private final HostInfo self;
    private final String selfUrl;

    public NotificationResource(ApiKeyStore keys, Supplier<KafkaStreams> streams, QueryRouter router, HostInfo self,
                                String selfUrl) {
        this.keys = keys;
        this.streams = streams;
        this.router = router;
        this.self = self;
        this.selfUrl = selfUrl;
    }

    @GET
    @Path("/{eventId}")
    public Response notification(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                 @PathParam("eventId") String eventId, @Context ContainerRequestContext request) {
        String tenant = ApiKeyAuthorization.require(keys, authorization, SCOPE).tenant();
        KafkaStreams application = streams.get();
        KafkaStreams.State state = application.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            throw ApiError.of(503, "not_available_here", "The notification fan-out is " + state + " here. Retry"
                    + " shortly.").retryAfter(1).asException();
        }
        Ledger local = localLedger(application, tenant + ":" + eventId);
        if (local != null) {
            return Response.ok(view(local)).build();
        }
        if (request.getHeaderString(QueryRouter.ROUTED_HEADER) == null) {
            for (StreamsMetadata instance : application.metadataForAllStreamsClients()) {
                if (instance.hostInfo().equals(self)) {
                    continue;
                }
                Response answer = router.route(request, new QueryRouter.Owner.Remote(
                        URI.create("http://" + instance.host() + ":" + instance.port())));
                if (answer.getStatus() == 200) {
                    return answer;
                }
                answer.close();
            }
        }
        throw ApiError.of(404, "not_found", "No notification " + eventId + " of tenant " + tenant + " is known (it"
                + " may not be fanned out yet, or it is older than the ledger keeps).").asException();
    }

    private static Ledger localLedger(KafkaStreams application, String key) {
        try {
            return LocalStores.<String, Ledger>keyValue(application, NotificationTopology.LEDGER_STORE, null, true)
                    .get(key);
        } catch (InvalidStateStoreException e) {
            throw ApiError.of(503, "not_available_here", "The ledger is moving between instances (" + e.getMessage()
                    + "). Retry shortly.").retryAfter(1).asException();
        }
    }

    private ObjectNode view(Ledger ledger) {
        ObjectNode node = NODES.objectNode();
        node.put("eventId", ledger.eventId);
        node.put("recipientId", ledger.recipientId);
        node.put("receivedAt", ledger.receivedAt);
        ObjectNode channels = node.putObject("channels");
        ledger.channels.forEach((name, line) -> {
            ObjectNode channel = channels.putObject(name.toLowerCase());
            channel.put("messageId", line.messageId);
            channel.put("idempotencyKey", line.idempotencyKey);
            channel.put("status", line.status);
            channel.put("final", FINAL.contains(line.status));
            ArrayNode attempts = channel.putArray("attempts");
            line.attempts.forEach(attempt -> {
                ObjectNode entry = attempts.addObject();
                entry.put("attempt", attempt.attempt);
                entry.put("status", attempt.status);
                entry.put("provider", attempt.provider);
                entry.put("providerMessageId", attempt.providerMessageId);
                entry.put("errorCode", attempt.errorCode);
                entry.put("error", attempt.error);
                if (attempt.nextAttemptAt != null) {
                    entry.put("nextAttemptAt", attempt.nextAttemptAt);
                }
                entry.put("completedAt", attempt.completedAt);
            });
        });
        node.put("servedBy", selfUrl);
        return node;
    }
}
