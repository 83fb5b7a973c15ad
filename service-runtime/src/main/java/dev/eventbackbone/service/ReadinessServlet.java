package dev.eventbackbone.service;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /ready} on the admin port: can this instance serve? 200 when every health check it
 * needs to serve passes, else 503, with each check's result in the body. {@code /healthcheck} stays
 * the full diagnosis. A check the service can serve without (the gateway's Kafka check while its
 * spool takes events, the audit store's ingester while it answers from its own store) is not run at
 * all, so a probe never waits for its timeout.
 */
final class ReadinessServlet extends HttpServlet {

    static final String PATH = "/ready";

    private final transient HealthCheckRegistry checks;
    private final Set<String> notNeededToServe;
    private final transient ObjectMapper json;

    ReadinessServlet(HealthCheckRegistry checks, Set<String> notNeededToServe, ObjectMapper json) {
        this.checks = checks;
        this.notNeededToServe = Set.copyOf(notNeededToServe);
        this.json = json;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> results = new TreeMap<>();
        boolean ready = true;
        for (String name : checks.getNames()) {
            if (notNeededToServe.contains(name)) {
                continue;
            }
            HealthCheck.Result result = checks.runHealthCheck(name);
            ready &= result.isHealthy();
            Map<String, Object> shown = new LinkedHashMap<>();
            shown.put("healthy", result.isHealthy());
            shown.put("message", result.getMessage());
            results.put(name, shown);
        }
        response.setStatus(ready ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "must-revalidate,no-cache,no-store");
        json.writeValue(response.getOutputStream(), Map.of("ready", ready, "checks", results,
                "notNeededToServe", notNeededToServe.stream().sorted().toList()));
    }
}
