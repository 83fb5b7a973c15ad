package dev.eventbackbone.analytics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.service.ApiError;
import dev.eventbackbone.service.ApiKeyAuthorization;
import dev.eventbackbone.service.QueryRouter;
import dev.eventbackbone.service.StreamsOwnership;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The analytics queries (scope {@code read:analytics}, the caller's tenant only), answered from
 * the rollup window stores of the instance that holds the {@code tenant|name} key;
 * {@link AnalyticsRouting} has forwarded the request there. Every answer names the instance,
 * whether it read a standby copy, and how many records that copy is behind.
 */
@Path("/v1/analytics")
@Produces(MediaType.APPLICATION_JSON)
public final class AnalyticsResource {

    static final String SCOPE = "read:analytics";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper READER = new ObjectMapper();
    /** Up to this long a range is read from minute windows; beyond, from hour windows. */
    static final Duration MINUTE_WINDOWS_UP_TO = Duration.ofHours(6);
    private static final int MAX_POINTS = 10_000;

    private final ApiKeyStore keys;
    private final RollupQueries queries;
    private final StreamsOwnership ownership;
    private final String self;
    private final Clock clock;
    private final QueryRouter router;
    private final Supplier<List<URI>> others;

    /**
     * @param others the other instances' base URLs, asked for their parts of a range over all keys
     */
    public AnalyticsResource(ApiKeyStore keys, Supplier<KafkaStreams> streams, StreamsOwnership ownership, String self,
                             Clock clock, QueryRouter router, Supplier<List<URI>> others) {
        this.keys = keys;
        this.queries = new RollupQueries(streams);
        this.ownership = ownership;
        this.self = self;
        this.clock = clock;
        this.router = router;
        this.others = others;
    }

    /** Count and sum per window, one point per window of the range, empty windows as zeros. */
    @GET
    @Path("/series")
    public ObjectNode series(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                             @QueryParam("name") String name, @QueryParam("interval") String interval,
                             @QueryParam("from") String from, @QueryParam("to") String to) {
        String tenant = tenantOf(authorization);
        String eventName = required("name", name);
        boolean hourly = "hour".equals(interval);
        if (interval != null && !hourly && !"minute".equals(interval)) {
            throw ApiError.badParameter("interval", "interval is minute or hour; got '" + interval + "'.").asException();
        }
        Duration size = hourly ? RollupTopology.HOUR : RollupTopology.MINUTE;
        Instant[] range = range(from, to);
        Instant first = Instant.ofEpochMilli(range[0].toEpochMilli() - Math.floorMod(range[0].toEpochMilli(),
                size.toMillis()));
        if (Duration.between(first, range[1]).dividedBy(size) > MAX_POINTS) {
            throw ApiError.badParameter("from", "The range holds more than " + MAX_POINTS + " " + (hourly ? "hours"
                    : "minutes") + "; ask for a shorter one or interval=hour.").asException();
        }
        RollupQueries.Windows windows = read(hourly ? RollupTopology.HOUR_STORE : RollupTopology.MINUTE_STORE,
                Measure.key(tenant, eventName), first, range[1].minusMillis(1));
        Map<Long, Rollup> byStart = new HashMap<>();
        windows.windows().forEach(window -> byStart.put(window.key, window.value));
        ObjectNode answer = NODES.objectNode();
        answer.put("name", eventName);
        answer.put("interval", hourly ? "hour" : "minute");
        ArrayNode points = answer.putArray("points");
        for (Instant start = first; start.isBefore(range[1]); start = start.plus(size)) {
            Rollup rollup = byStart.get(start.toEpochMilli());
            ObjectNode point = points.addObject();
            point.put("start", start.toString());
            point.put("count", rollup == null ? 0 : rollup.count());
            point.put("sum", rollup == null ? 0 : rollup.sum());
        }
        return served(answer, windows);
    }

    /** Count, sum, distinct users and quantiles of the value over the range, merged from its windows. */
    @GET
    @Path("/summary")
    public ObjectNode summary(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                              @QueryParam("name") String name, @QueryParam("from") String from,
                              @QueryParam("to") String to) {
        String tenant = tenantOf(authorization);
        String eventName = name == null || name.isBlank() ? Measure.ALL : name;
        Instant[] range = range(from, to);
        boolean minutes = minuteWindows(range);
        RollupQueries.Windows windows = windowsOver(Measure.key(tenant, eventName), range);
        Rollup.Merged merged = merge(windows);
        ObjectNode answer = NODES.objectNode();
        answer.put("name", eventName);
        answer.put("windows", minutes ? "minute" : "hour");
        answer.put("count", merged.count);
        answer.put("sum", merged.sum);
        answer.put("distinctUsers", Math.round(merged.distinctUsers()));
        double[] bounds = merged.distinctUsersBounds();
        answer.putArray("distinctUsersBounds").add(Math.round(bounds[0])).add(Math.round(bounds[1]));
        ObjectNode quantiles = answer.putObject("quantiles");
        if (merged.values != null && !merged.values.isEmpty()) {
            for (double rank : new double[] {0.5, 0.9, 0.99}) {
                quantiles.put("p" + Math.round(rank * 100), merged.values.getQuantile(rank,
                        QuantileSearchCriteria.INCLUSIVE));
            }
            quantiles.put("rankError", merged.values.getNormalizedRankError(false));
        }
        return served(answer, windows);
    }

    /** The tenant's most frequent event names over the range. */
    @GET
    @Path("/top")
    public ObjectNode top(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                          @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("n") Integer n) {
        String tenant = tenantOf(authorization);
        int limit = limit(n);
        Instant[] range = range(from, to);
        RollupQueries.Windows windows = windowsOver(Measure.key(tenant, Measure.ALL), range);
        Rollup.Merged merged = merge(windows);
        ObjectNode answer = NODES.objectNode();
        ArrayNode names = answer.putArray("names");
        ItemsSketch.Row<String>[] rows = merged.topNames();
        if (rows != null) {
            for (int i = 0; i < Math.min(limit, rows.length); i++) {
                names.addObject().put("name", rows[i].getItem()).put("count", rows[i].getEstimate());
            }
        }
        return served(answer, windows);
    }

    /** The most frequent values of one of the tenant's event properties over the range. */
    @GET
    @Path("/top-values")
    public ObjectNode topValues(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                @QueryParam("property") String property, @QueryParam("from") String from,
                                @QueryParam("to") String to, @QueryParam("n") Integer n) {
        String tenant = tenantOf(authorization);
        String key = required("property", property);
        int limit = limit(n);
        Instant[] range = range(from, to);
        RollupQueries.Windows windows = windowsOver(Measure.key(tenant, Measure.ALL), range);
        Rollup.Merged merged = merge(windows);
        ObjectNode answer = NODES.objectNode();
        answer.put("property", key);
        ArrayNode values = answer.putArray("values");
        merged.topValues(key).stream().limit(limit).forEach(row ->
                values.addObject().put("value", row.getKey()).put("count", row.getValue()));
        return served(answer, windows);
    }

    /**
     * Every event name of the tenant with its exact count over the range: a range over all keys,
     * so every instance contributes the partitions whose active task it runs, and the instance
     * asked merges the parts. When an instance does not answer, the answer is a 503, never a
     * partial sum.
     */
    @GET
    @Path("/names")
    public ObjectNode names(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                            @QueryParam("from") String from, @QueryParam("to") String to,
                            @Context ContainerRequestContext request) {
        String tenant = tenantOf(authorization);
        Instant[] range = range(from, to);
        boolean minutes = minuteWindows(range);
        Map<String, Long> counts;
        try {
            counts = new TreeMap<>(queries.countsByName(minutes ? RollupTopology.MINUTE_STORE
                    : RollupTopology.HOUR_STORE, Measure.key(tenant, ""), windowStart(range[0], minutes),
                    range[1].minusMillis(1)));
        } catch (RollupQueries.NotHere | InvalidStateStoreException e) {
            throw ApiError.of(503, "not_available_here", "The rollups are moving between instances (" + e.getMessage()
                    + "). Retry shortly.").retryAfter(1).asException();
        }
        int instances = 1;
        if (request.getHeaderString(QueryRouter.ROUTED_HEADER) == null) {
            for (URI other : others.get()) {
                String part = router.ask(request, other).orElseThrow(() -> ApiError.of(503, "not_available_here",
                        "The instance " + other + " did not answer its part of the range. Retry shortly.")
                        .retryAfter(1).asException());
                try {
                    READER.readTree(part).path("names").forEach(row ->
                            counts.merge(row.path("name").asText(), row.path("count").asLong(), Long::sum));
                } catch (IOException e) {
                    throw ApiError.of(503, "not_available_here", "The instance " + other + " answered what is not"
                            + " JSON. Retry shortly.").retryAfter(1).asException();
                }
                instances++;
            }
        }
        ObjectNode answer = NODES.objectNode();
        ArrayNode names = answer.putArray("names");
        counts.forEach((name, count) -> names.addObject().put("name", name).put("count", count));
        answer.put("instances", instances);
        answer.put("servedBy", self);
        return answer;
    }

    private RollupQueries.Windows read(String store, String key, Instant from, Instant to) {
        try {
            return queries.windows(store, ownership.partitionOf(key), key, from, to);
        } catch (RollupQueries.NotHere | InvalidStateStoreException e) {
            throw ApiError.of(503, "not_available_here", "The rollups are moving between instances (" + e.getMessage()
                    + "). Retry shortly.").retryAfter(1).asException();
        }
    }

    private ObjectNode served(ObjectNode answer, RollupQueries.Windows windows) {
        answer.put("servedBy", self);
        answer.put("standby", windows.standby());
        answer.put("lagRecords", windows.lagRecords());
        return answer;
    }

    /** The key's windows over the range: minute windows up to {@link #MINUTE_WINDOWS_UP_TO}, hour windows beyond. */
    private RollupQueries.Windows windowsOver(String key, Instant[] range) {
        boolean minutes = minuteWindows(range);
        return read(minutes ? RollupTopology.MINUTE_STORE : RollupTopology.HOUR_STORE, key,
                windowStart(range[0], minutes), range[1].minusMillis(1));
    }

    private static boolean minuteWindows(Instant[] range) {
        return Duration.between(range[0], range[1]).compareTo(MINUTE_WINDOWS_UP_TO) <= 0;
    }

    private static Rollup.Merged merge(RollupQueries.Windows windows) {
        return Rollup.merge(windows.windows().stream().map(window -> window.value).toList());
    }

    private static Instant windowStart(Instant at, boolean minutes) {
        long size = (minutes ? RollupTopology.MINUTE : RollupTopology.HOUR).toMillis();
        return Instant.ofEpochMilli(at.toEpochMilli() - Math.floorMod(at.toEpochMilli(), size));
    }

    /** [from, to): ISO-8601 instants or epoch milliseconds; to defaults to now, from to an hour before to. */
    private Instant[] range(String from, String to) {
        Instant end = to == null || to.isBlank() ? clock.instant() : instant("to", to);
        Instant start = from == null || from.isBlank() ? end.minus(Duration.ofHours(1)) : instant("from", from);
        if (!start.isBefore(end)) {
            throw ApiError.badParameter("from", "from must be before to.").asException();
        }
        return new Instant[] {start, end};
    }

    private static Instant instant(String field, String value) {
        try {
            return value.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(value))
                    : Instant.parse(value);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw ApiError.badParameter(field, field + " is an ISO-8601 instant (2026-12-01T12:00:00Z) or epoch"
                    + " milliseconds; got '" + value + "'.").asException();
        }
    }

    private static int limit(Integer n) {
        int limit = n == null ? 10 : n;
        if (limit < 1 || limit > 100) {
            throw ApiError.badParameter("n", "n is between 1 and 100; got " + limit + ".").asException();
        }
        return limit;
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiError.badParameter(field, field + " is required.").asException();
        }
        return value;
    }

    private String tenantOf(String authorization) {
        return ApiKeyAuthorization.require(keys, authorization, SCOPE).tenant();
    }
}
