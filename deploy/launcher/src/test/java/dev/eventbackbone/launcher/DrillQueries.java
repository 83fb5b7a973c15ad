package dev.eventbackbone.launcher;

import dev.eventbackbone.testing.Http;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Queries, four times a second, to the instance of each stateful service that the drill never kills:
 * an order list (processors), an audit search (audit store) and an analytics summary, each for
 * keys that any instance may own, so they are forwarded to the owner when it is another. Every
 * answer is kept with the drill's phase at the time.
 */
final class DrillQueries implements AutoCloseable {

    /** One answer: the phase, the service, the status ({@code -1}: no answer) and, when not answered, why. */
    record Outcome(String phase, String service, int status, String body) {
        boolean answered() {
            return status == 200 || status == 404;
        }
    }

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<Outcome> outcomes = new ArrayList<>();
    private final AtomicLong round = new AtomicLong();
    private volatile String phase = "steady";

    DrillQueries(Map<String, String> urlsByService, Map<String, String> keysByTenant, Instant from, Supplier<Instant> to) {
        List<Map.Entry<String, String>> tenants = List.copyOf(keysByTenant.entrySet());
        scheduler.scheduleAtFixedRate(() -> {
            long n = round.incrementAndGet();
            String tenant = tenants.get((int) (n % tenants.size())).getKey();
            String key = tenants.get((int) (n % tenants.size())).getValue();
            ask("processors", urlsByService.get("processors") + "/v1/customers/c-" + n % 40 + "/orders", key);
            ask("audit-store", urlsByService.get("audit-store") + "/v1/audit/events?limit=5", key);
            ask("analytics", urlsByService.get("analytics") + "/v1/analytics/summary?name="
                    + DrillLoad.analyticsName(tenant) + "&from=" + from + "&to=" + to.get(), key);
        }, 0, 250, TimeUnit.MILLISECONDS);
    }

    void phase(String name) {
        phase = name;
    }

    synchronized List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    @Override
    public void close() {
        stop();
    }

    void stop() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ask(String service, String url, String key) {
        String now = phase;
        Outcome outcome;
        try {
            HttpResponse<String> response = Http.get(url, key);
            outcome = new Outcome(now, service, response.statusCode(),
                    response.statusCode() == 200 ? "" : response.body());
        } catch (UncheckedIOException e) {
            outcome = new Outcome(now, service, -1, e.toString());
        }
        synchronized (this) {
            outcomes.add(outcome);
        }
    }
}
