package dev.eventbackbone.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.testing.Http;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Load through the gateway on all four streams at a steady pace, one scheduled poster per stream,
 * remembering every event the gateway acknowledged (202) and counting every other answer.
 */
final class DrillLoad implements AutoCloseable {

    /** An event the gateway acknowledged: its stream, tenant, the gateway's event id and the drill's own reference. */
    record Accepted(String stream, String tenant, String eventId, String ref) {
    }

    static final String AUDIT = "audit";
    static final String ORDERS = "orders";
    static final String NOTIFICATIONS = "notifications";
    static final String ANALYTICS = "analytics";
    static final int RECIPIENTS = 20;
    static final String SKU = "drill-sku";

    private final String gateway;
    private final Map<String, String> keysByTenant;
    private final List<String> tenants;
    private final ScheduledExecutorService posters = Executors.newScheduledThreadPool(4);
    private final ConcurrentLinkedQueue<Accepted> accepted = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    DrillLoad(String gateway, Map<String, String> keysByTenant) {
        this.gateway = gateway;
        this.keysByTenant = keysByTenant;
        this.tenants = List.copyOf(keysByTenant.keySet());
    }

    /** Stock for the orders and a webhook address for every recipient, before the load starts. */
    void prepare(String webhookUrl) {
        for (String tenant : tenants) {
            require(post(tenant, "inventory", "{\"sku\":\"" + SKU + "\",\"available\":100000000}"));
            for (int recipient = 0; recipient < RECIPIENTS; recipient++) {
                require(post(tenant, "preferences", "{\"recipientId\":\"r-%d\",\"webhookUrl\":\"%s\"}"
                        .formatted(recipient, webhookUrl)));
            }
        }
    }

    void start() {
        every(50, () -> postOne(AUDIT));
        every(100, this::postOrder);
        every(100, () -> postOne(NOTIFICATIONS));
        every(25, () -> postOne(ANALYTICS));
    }

    /** A periodic post; a failure is counted, never allowed to end the schedule. */
    private void every(long millis, Runnable post) {
        posters.scheduleAtFixedRate(() -> {
            try {
                post.run();
            } catch (RuntimeException e) {
                refused.computeIfAbsent("poster failed: " + e, k -> new AtomicLong()).incrementAndGet();
            }
        }, 0, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        stop();
    }

    /** Stops posting and waits for the posts in flight. */
    void stop() {
        posters.shutdown();
        try {
            if (!posters.awaitTermination(2, TimeUnit.MINUTES)) {
                posters.shutdownNow();
            }
        } catch (InterruptedException e) {
            posters.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    int acceptedCount() {
        return accepted.size();
    }

    List<Accepted> accepted(String stream) {
        return accepted.stream().filter(event -> event.stream().equals(stream)).toList();
    }

    List<Accepted> accepted(String stream, String tenant) {
        return accepted(stream).stream().filter(event -> event.tenant().equals(tenant)).toList();
    }

    /** Answers other than 202, by stream and status ({@code -1}: no answer at all). */
    Map<String, Long> refused() {
        return refused.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().get()));
    }

    private void postOne(String stream) {
        long n = sequence.incrementAndGet();
        String tenant = tenants.get((int) (n % tenants.size()));
        String ref = stream + "-" + tenant + "-" + n;
        String body = switch (stream) {
            case AUDIT -> "{\"eventId\":\"%s\",\"action\":\"file_uploaded\",\"actor\":\"u-%d\",\"resource\":{\"type\":\"file\",\"id\":\"f-%d\"}}"
                    .formatted(ref, n % 10, n);
            case NOTIFICATIONS -> "{\"recipientId\":\"r-%d\",\"subject\":\"Drill\",\"body\":\"Drill %s\",\"channels\":[\"WEBHOOK\"],\"priority\":\"HIGH\",\"data\":{\"ref\":\"%s\"}}"
                    .formatted(n % RECIPIENTS, ref, ref);
            case ANALYTICS -> "{\"name\":\"%s\",\"userId\":\"u-%d\",\"occurredAt\":\"%s\"}"
                    .formatted(analyticsName(tenant), n % 50, Instant.now());
            default -> throw new IllegalArgumentException(stream);
        };
        record(stream, tenant, ref, post(tenant, stream, body));
    }

    /** One order: PLACE, then CONFIRM_PAYMENT once the PLACE was acknowledged. */
    private void postOrder() {
        long n = sequence.incrementAndGet();
        String tenant = tenants.get((int) (n % tenants.size()));
        String customer = "c-" + n % 40;
        String order = "o-" + n;
        String placed = "place-" + tenant + "-" + n;
        HttpResponse<String> place = post(tenant, ORDERS, ("{\"commandId\":\"%s\",\"type\":\"PLACE\",\"customerId\":\"%s\","
                + "\"orderId\":\"%s\",\"currency\":\"EUR\",\"items\":[{\"sku\":\"%s\",\"quantity\":1,\"unitPriceMinor\":100}]}")
                .formatted(placed, customer, order, SKU));
        if (record(ORDERS, tenant, placed, place)) {
            String paid = "pay-" + tenant + "-" + n;
            record(ORDERS, tenant, paid, post(tenant, ORDERS,
                    "{\"commandId\":\"%s\",\"type\":\"CONFIRM_PAYMENT\",\"customerId\":\"%s\",\"orderId\":\"%s\"}"
                            .formatted(paid, customer, order)));
        }
    }

    static String analyticsName(String tenant) {
        return "drill_" + tenant.replace('-', '_');
    }

    private boolean record(String stream, String tenant, String ref, HttpResponse<String> response) {
        if (response != null && response.statusCode() == 202) {
            JsonNode answer = Http.json(response);
            accepted.add(new Accepted(stream, tenant, answer.path("eventId").asText(), ref));
            return true;
        }
        refused.computeIfAbsent(stream + " " + (response == null ? -1 : response.statusCode()), k -> new AtomicLong())
                .incrementAndGet();
        return false;
    }

    private HttpResponse<String> post(String tenant, String stream, String body) {
        try {
            return Http.post(gateway + "/v1/events/" + stream, keysByTenant.get(tenant), body);
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    private static void require(HttpResponse<String> response) {
        if (response == null || response.statusCode() != 202) {
            throw new AssertionError("The gateway refused a preparation step: "
                    + (response == null ? "no answer" : response.statusCode() + " " + response.body()));
        }
    }
}
