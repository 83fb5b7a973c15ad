package dev.eventbackbone.processors.orders;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.service.ApiError;
import dev.eventbackbone.service.ApiKeyAuthorization;
import dev.eventbackbone.service.StreamsOwnership;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * Order and inventory queries (scope {@code read:orders}, the caller's tenant only), answered from
 * the order topology's state stores on the instance that holds the key; {@link OrderRouting} has
 * forwarded the request there. With {@code after=<partition>:<offset>}, as the gateway's 202 names
 * a command, the answer waits until that command is applied, so a client always reads its own write.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public final class OrderResource {

    static final String SCOPE = "read:orders";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long FIRST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long LONGEST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Queries waiting for a command at once; more answer 503 at once, so no caller can tie up every thread. */
    static final int MAX_WAITING = 64;

    private final ApiKeyStore keys;
    private final OrderQueries queries;
    /** For reads that name their command: a standby may show one store ahead of another. */
    private final OrderQueries activeQueries;
    private final StreamsOwnership orderOwnership;
    private final StreamsOwnership stockOwnership;
    private final Duration readYourWritesTimeout;
    private final String self;
    private final Semaphore waiting = new Semaphore(MAX_WAITING);

    public OrderResource(ApiKeyStore keys, Supplier<KafkaStreams> streams, StreamsOwnership orderOwnership,
                         StreamsOwnership stockOwnership, Duration readYourWritesTimeout, String self) {
        this.keys = keys;
        this.queries = new OrderQueries(streams);
        this.activeQueries = queries.activeOnly();
        this.orderOwnership = orderOwnership;
        this.stockOwnership = stockOwnership;
        this.readYourWritesTimeout = readYourWritesTimeout;
        this.self = self;
    }

    @GET
    @Path("/customers/{customerId}/orders")
    public ObjectNode orders(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                             @PathParam("customerId") String customerId, @QueryParam("after") String after) {
        String tenant = tenantOf(authorization);
        int partition = customerPartition(tenant, customerId, after);
        OrderQueries reads = readsOf(after);
        List<OrderState> orders = answer(() -> reads.orders(partition, tenant, customerId));
        ObjectNode answer = NODES.objectNode();
        answer.put("customerId", customerId);
        ArrayNode list = answer.putArray("orders");
        orders.forEach(order -> list.add(view(order)));
        answer.put("servedBy", self);
        return answer;
    }

    @GET
    @Path("/customers/{customerId}/orders/{orderId}")
    public ObjectNode order(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                            @PathParam("customerId") String customerId, @PathParam("orderId") String orderId,
                            @QueryParam("after") String after) {
        String tenant = tenantOf(authorization);
        int partition = customerPartition(tenant, customerId, after);
        OrderQueries reads = readsOf(after);
        OrderState order = answer(() -> reads.order(partition, tenant, customerId, orderId)).orElseThrow(() ->
                ApiError.of(404, "not_found", "Customer " + customerId + " has no order " + orderId + ".")
                        .asException());
        ObjectNode answer = view(order);
        answer.put("servedBy", self);
        return answer;
    }

    @GET
    @Path("/inventory/{sku}")
    public ObjectNode stock(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                            @PathParam("sku") String sku) {
        String tenant = tenantOf(authorization);
        int partition = stockOwnership.partitionOf(tenant + ":" + sku);
        Stock stock = answer(() -> queries.stock(partition, tenant, sku)).orElseGet(Stock::new);
        ObjectNode answer = NODES.objectNode();
        answer.put("sku", sku);
        answer.put("available", stock.available);
        answer.put("reserved", stock.reserved);
        answer.put("servedBy", self);
        return answer;
    }

    /**
     * The partition of the customer's commands, after waiting, when {@code after} names a command,
     * until it is applied: read from its partition and out of the customer's queue.
     */
    private int customerPartition(String tenant, String customerId, String after) {
        int partition = orderOwnership.partitionOf(tenant + ":" + customerId);
        if (after == null || after.isBlank()) {
            return partition;
        }
        long offset = offsetIn(after, partition);
        if (applied(partition, offset, tenant, customerId)) {
            return partition;
        }
        if (!waiting.tryAcquire()) {
            throw ApiError.of(503, "busy", "Too many queries are waiting for their commands; retry shortly.")
                    .retryAfter(1).asException();
        }
        try {
            long deadline = System.nanoTime() + readYourWritesTimeout.toNanos();
            long pause = FIRST_POLL_NANOS;
            while (!applied(partition, offset, tenant, customerId)) {
                if (System.nanoTime() > deadline) {
                    throw ApiError.of(503, "not_caught_up", "The command at " + after + " is not applied yet after "
                            + readYourWritesTimeout.toMillis() + " ms; nothing older than it is shown. Retry shortly.")
                            .retryAfter(1).asException();
                }
                LockSupport.parkNanos(pause);
                pause = Math.min(LONGEST_POLL_NANOS, pause * 2);
            }
            return partition;
        } finally {
            waiting.release();
        }
    }

    /** False also while the partition is not queryable here yet (starting, restoring): the wait covers that too. */
    private boolean applied(int partition, long offset, String tenant, String customerId) {
        try {
            return activeQueries.commandsRead(partition) >= offset
                    && activeQueries.customer(partition, tenant, customerId).map(customer -> customer.queue.stream()
                    .noneMatch(queued -> queued.partition == partition && queued.offset <= offset)).orElse(true);
        } catch (OrderQueries.NotHere | InvalidStateStoreException e) {
            return false;
        }
    }

    private OrderQueries readsOf(String after) {
        return after == null || after.isBlank() ? queries : activeQueries;
    }

    private static long offsetIn(String after, int partition) {
        String[] parts = after.split(":", -1);
        try {
            if (parts.length == 2) {
                int givenPartition = Integer.parseInt(parts[0]);
                long offset = Long.parseLong(parts[1]);
                if (givenPartition != partition) {
                    throw ApiError.badParameter("after", "after names partition " + givenPartition + ", but this"
                            + " customer's commands are in partition " + partition + ": pass the partition and"
                            + " offset of the gateway's 202 for this customer's command.").asException();
                }
                return offset;
            }
        } catch (NumberFormatException e) {
            throw ApiError.badParameter("after", "after must be <partition>:<offset>, as the gateway's 202 names"
                    + " them, e.g. 7:1042.").asException();
        }
        throw ApiError.badParameter("after", "after must be <partition>:<offset>, as the gateway's 202 names them,"
                + " e.g. 7:1042.").asException();
    }

    private <T> T answer(Supplier<T> query) {
        try {
            return query.get();
        } catch (OrderQueries.NotHere | InvalidStateStoreException e) {
            throw ApiError.of(503, "not_available_here", "The state is moving between instances (" + e.getMessage()
                    + "). Retry shortly.").retryAfter(1).asException();
        }
    }

    static ObjectNode view(OrderState order) {
        ObjectNode node = NODES.objectNode();
        node.put("orderId", order.orderId);
        node.put("customerId", order.customerId);
        node.put("status", order.status.name());
        node.put("sequence", order.sequence);
        node.put("currency", order.currency);
        node.put("subtotalMinor", order.subtotalMinor);
        node.put("totalMinor", order.totalMinor);
        ArrayNode items = node.putArray("items");
        order.items.forEach(line -> {
            ObjectNode item = items.addObject();
            item.put("sku", line.sku);
            item.put("quantity", line.quantity);
            item.put("unitPriceMinor", line.unitPriceMinor);
            item.put("name", line.name);
        });
        if (order.paymentDeadline > 0) {
            node.put("paymentDeadline", order.paymentDeadline);
        }
        ObjectNode metadata = node.putObject("metadata");
        order.metadata.forEach(metadata::put);
        ArrayNode history = node.putArray("history");
        order.history.forEach(step -> {
            ObjectNode entry = history.addObject();
            entry.put("sequence", step.sequence);
            entry.put("status", step.status.name());
            entry.put("at", step.at);
            entry.put("commandId", step.commandId);
            entry.put("reason", step.reason);
        });
        return node;
    }

    private String tenantOf(String authorization) {
        return ApiKeyAuthorization.require(keys, authorization, SCOPE).tenant();
    }
}
