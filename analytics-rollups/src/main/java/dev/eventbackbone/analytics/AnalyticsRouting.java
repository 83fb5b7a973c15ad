package dev.eventbackbone.analytics;

import dev.eventbackbone.contracts.auth.ApiKey;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.service.QueryRouter;
import dev.eventbackbone.service.StreamsOwnership;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;

/**
 * Sends every analytics query to an instance that holds its {@code tenant|name} key (the top
 * names and property values are under {@code tenant|*}), so any instance answers any query: the active task's
 * instance, or when it does not answer (killed, and the group has not noticed yet) one holding a
 * standby. A request without a valid key passes through: the resource answers it (401 or 403).
 */
public final class AnalyticsRouting implements ContainerRequestFilter {

    private final ApiKeyStore keys;
    private final QueryRouter router;
    private final StreamsOwnership ownership;

    public AnalyticsRouting(ApiKeyStore keys, QueryRouter router, StreamsOwnership ownership) {
        this.keys = keys;
        this.router = router;
        this.ownership = ownership;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        List<String> segments = request.getUriInfo().getPathSegments().stream().map(segment -> segment.getPath())
                .toList();
        if (segments.size() != 3 || !segments.get(0).equals("v1") || !segments.get(1).equals("analytics")) {
            return;
        }
        Optional<String> tenant = ApiKeyStore.bearerSecret(request.getHeaderString(HttpHeaders.AUTHORIZATION))
                .flatMap(keys::authenticate).filter(key -> key.allows(AnalyticsResource.SCOPE)).map(ApiKey::tenant);
        if (tenant.isEmpty()) {
            return;
        }
        if (segments.get(2).equals("names")) {
            // A range over all keys: every instance gives its part, the one asked merges them.
            return;
        }
        String name = request.getUriInfo().getQueryParameters().getFirst("name");
        String key = Measure.key(tenant.get(), segments.get(2).startsWith("top") || name == null || name.isBlank()
                ? Measure.ALL : name);
        // Rollups may come from a standby (flagged in the answer): better a copy a moment behind than no answer.
        Response answer = router.routeToAnyHolder(request, () -> ownership.holdersOf(key),
                () -> ownership.heldHere(key));
        if (answer != null) {
            request.abortWith(answer);
        }
    }
}
