package dev.eventbackbone.service;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Answers a query for data that another instance holds by asking that instance, as Kafka Streams
 * interactive queries are routed to the owner of a key: every service that answers from local
 * state (the audit store, orders, analytics) finds the owner its own way ({@link Ownership}) and
 * forwards with this one piece. A forwarded request carries {@link #ROUTED_HEADER}; an instance
 * that gets one for data it does not own answers 503 instead of forwarding again, so a request
 * never circles while ownership moves.
 */
public final class QueryRouter {

    /** Set on a forwarded request, naming the instance that forwarded it. */
    public static final String ROUTED_HEADER = "X-Backbone-Routed-By";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** Where the data of one key lives now. */
    public sealed interface Owner {
        /** This instance has it. */
        record Local() implements Owner {
        }

        /** Another instance has it; {@code url} is its base URL, e.g. {@code http://10.0.0.7:8083}. */
        record Remote(URI url) implements Owner {
        }

        /** Nobody can answer now (a rebalance runs, or the owner is still catching up). */
        record Unavailable(String why) implements Owner {
        }
    }

    /** Tells where the data of a key lives. */
    @FunctionalInterface
    public interface Ownership {
        Owner ownerOf(String key);
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final String self;
    private final Duration timeout;

    /**
     * @param self    this instance's base URL, as others reach it
     * @param timeout how long a forwarded request may take
     */
    public QueryRouter(String self, Duration timeout) {
        this.self = self;
        this.timeout = timeout;
    }

    /**
     * Null when this instance should answer the request itself; otherwise the answer: the owner's
     * answer, passed on unchanged, or a 503 with {@code Retry-After} when nobody can answer now.
     */
    public Response route(ContainerRequestContext request, Owner owner) {
        if (owner instanceof Owner.Local) {
            return null;
        }
        if (owner instanceof Owner.Unavailable unavailable) {
            return unavailable(unavailable.why());
        }
        URI url = ((Owner.Remote) owner).url();
        if (request.getHeaderString(ROUTED_HEADER) != null) {
            return unavailable("ownership moved while the request was forwarded by "
                    + request.getHeaderString(ROUTED_HEADER));
        }
        return forward(request, url).orElseGet(() -> unavailable("the instance that holds it (" + url
                + ") did not answer"));
    }

    /**
     * Asks the first of the holders that answers with anything but a 503, and says so when none
     * does: for reads that may come from a standby. A holder that is this instance means "answer
     * here" (null). A forwarded request is never forwarded again: its receiver answers from what
     * it holds, or 503. Each of the two lookups is made only where it is needed: one per request.
     */
    public Response routeToAnyHolder(ContainerRequestContext request, Supplier<List<Owner>> holdersOfKey,
                                     BooleanSupplier heldHere) {
        if (request.getHeaderString(ROUTED_HEADER) != null) {
            return heldHere.getAsBoolean() ? null : unavailable("this instance does not hold it (forwarded by "
                    + request.getHeaderString(ROUTED_HEADER) + ")");
        }
        List<Owner> holders = holdersOfKey.get();
        for (Owner holder : holders) {
            if (holder instanceof Owner.Local) {
                return null;
            }
            if (holder instanceof Owner.Remote remote) {
                Optional<Response> answer = forward(request, remote.url());
                if (answer.isPresent() && answer.get().getStatus() != 503) {
                    return answer.get();
                }
                answer.ifPresent(Response::close);
            }
        }
        return unavailable(holders.isEmpty() ? "no instance holds it yet" : "none of its " + holders.size()
                + " holders answered");
    }

    /**
     * The body of another instance's 200 answer to this same request, marked as forwarded so that
     * the instance answers from its own data only: for queries that gather a part from every
     * instance and merge them. Empty when it did not answer 200.
     */
    public Optional<String> ask(ContainerRequestContext request, URI url) {
        Optional<Response> answer = forward(request, url);
        if (answer.isEmpty() || answer.get().getStatus() != 200) {
            answer.ifPresent(Response::close);
            return Optional.empty();
        }
        try (InputStream body = (InputStream) answer.get().getEntity()) {
            return Optional.of(new String(body.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The owner's answer, passed on unchanged; empty when it could not be reached. */
    private Optional<Response> forward(ContainerRequestContext request, URI url) {
        URI target = url.resolve(request.getUriInfo().getRequestUri().getRawPath()
                + Optional.ofNullable(request.getUriInfo().getRequestUri().getRawQuery()).map(q -> "?" + q).orElse(""));
        HttpRequest.Builder forward = HttpRequest.newBuilder(target).timeout(timeout).GET()
                .header(ROUTED_HEADER, self);
        Optional.ofNullable(request.getHeaderString(HttpHeaders.AUTHORIZATION))
                .ifPresent(value -> forward.header(HttpHeaders.AUTHORIZATION, value));
        try {
            // Streamed through: a forwarded export can be far larger than this instance's heap should hold.
            HttpResponse<InputStream> answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofInputStream());
            Response.ResponseBuilder response = Response.status(answer.statusCode()).entity(answer.body());
            answer.headers().firstValue(HttpHeaders.CONTENT_TYPE).ifPresent(type -> response.type(type));
            answer.headers().firstValue("Retry-After").ifPresent(value -> response.header("Retry-After", value));
            return Optional.of(response.build());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(unavailable("interrupted while asking " + url));
        }
    }

    private static Response unavailable(String why) {
        return ApiError.of(503, "not_available_here", "This data cannot be served right now: " + why
                + ". Retry shortly.").retryAfter(1).toResponse();
    }
}
