package dev.eventbackbone.audit;

import dev.eventbackbone.contracts.auth.ApiKey;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.service.QueryRouter;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * Sends every tenant request to the store instance that holds the tenant's log, so any instance
 * answers any tenant. A request this instance can answer, or one without a valid key (the API
 * answers that itself, 401 or 403), passes through; the public keys are the same everywhere.
 */
final class AuditRouting implements ContainerRequestFilter {

    private final ApiKeyStore keys;
    private final QueryRouter router;
    private final QueryRouter.Ownership ownership;

    AuditRouting(ApiKeyStore keys, QueryRouter router, QueryRouter.Ownership ownership) {
        this.keys = keys;
        this.router = router;
        this.ownership = ownership;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        // Keys are public and the same everywhere; any instance can hand an erasure request to Kafka.
        if (!path.startsWith("v1/audit/") || path.startsWith("v1/audit/keys") || path.startsWith("v1/audit/public-key")
                || path.startsWith("v1/audit/erasures")) {
            return;
        }
        Optional<String> tenant = ApiKeyStore.bearerSecret(request.getHeaderString(HttpHeaders.AUTHORIZATION))
                .flatMap(keys::authenticate).filter(key -> key.allows(AuditResource.SCOPE)).map(ApiKey::tenant);
        if (tenant.isEmpty()) {
            return;
        }
        Response answer = router.route(request, ownership.ownerOf(tenant.get()));
        if (answer != null) {
            request.abortWith(answer);
        }
    }
}
