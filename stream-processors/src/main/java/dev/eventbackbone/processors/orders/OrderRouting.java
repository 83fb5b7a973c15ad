package dev.eventbackbone.processors.orders;

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
 * Sends every order or inventory query to the instance whose tasks hold the key (a customer's
 * orders, a SKU's stock), so any instance answers any query. A request without a valid key passes
 * through: the resource answers it (401 or 403).
 */
public final class OrderRouting implements ContainerRequestFilter {

    private final ApiKeyStore keys;
    private final QueryRouter router;
    private final StreamsOwnership orders;
    private final StreamsOwnership stock;

    public OrderRouting(ApiKeyStore keys, QueryRouter router, StreamsOwnership orders, StreamsOwnership stock) {
        this.keys = keys;
        this.router = router;
        this.orders = orders;
        this.stock = stock;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        List<String> segments = request.getUriInfo().getPathSegments().stream().map(segment -> segment.getPath())
                .toList();
        boolean customer = segments.size() >= 4 && segments.get(0).equals("v1") && segments.get(1).equals("customers")
                && segments.get(3).equals("orders");
        boolean inventory = segments.size() == 3 && segments.get(0).equals("v1") && segments.get(1).equals("inventory");
        if (!customer && !inventory) {
            return;
        }
        Optional<String> tenant = ApiKeyStore.bearerSecret(request.getHeaderString(HttpHeaders.AUTHORIZATION))
                .flatMap(keys::authenticate).filter(key -> key.allows(OrderResource.SCOPE)).map(ApiKey::tenant);
        if (tenant.isEmpty()) {
            return;
        }
        String key = tenant.get() + ":" + segments.get(2);
        // A read that names its command must see all the command did: only the active task promises that.
        boolean readsItsWrite = request.getUriInfo().getQueryParameters().containsKey("after");
        StreamsOwnership ownership = customer ? orders : stock;
        Response answer = router.route(request, readsItsWrite ? ownership.activeOwnerOf(key) : ownership.ownerOf(key));
        if (answer != null) {
            request.abortWith(answer);
        }
    }
}
