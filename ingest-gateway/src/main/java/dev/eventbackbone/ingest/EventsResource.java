package dev.eventbackbone.ingest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.contracts.auth.ApiKey;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.service.ApiError;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/events/{stream}} and {@code POST /v1/events/{stream}/batch}: thin HTTP adapters
 * over authentication, size limits, JSON parsing, rate limits, idempotency, {@link EventIntake}
 * and the {@link EventPublisher}. Answers asynchronously: no request thread waits for Kafka.
 */
@Path("/v1/events/{stream}")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public final class EventsResource {

    private static final Logger LOG = LoggerFactory.getLogger(EventsResource.class);

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;

    private final ApiKeyStore keys;
    private final ObjectMapper mapper;
    private final EventIntake intake;
    private final EventPublisher publisher;
    private final TenantRateLimits rateLimits;
    private final IdempotencyCache idempotency;
    private final RejectedEvents rejected;
    private final GatewayMetrics metrics;
    private final IngestGatewayConfiguration.Limits limits;

    EventsResource(ApiKeyStore keys, ObjectMapper mapper, EventIntake intake, EventPublisher publisher,
                   TenantRateLimits rateLimits, IdempotencyCache idempotency, RejectedEvents rejected,
                   GatewayMetrics metrics, IngestGatewayConfiguration.Limits limits) {
        this.keys = keys;
        this.mapper = mapper;
        this.intake = intake;
        this.publisher = publisher;
        this.rateLimits = rateLimits;
        this.idempotency = idempotency;
        this.rejected = rejected;
        this.metrics = metrics;
        this.limits = limits;
    }

    @POST
    public CompletionStage<Response> postEvent(@PathParam("stream") String stream, @Context HttpHeaders httpHeaders,
                                               InputStream body) {
        IngestRequestHeaders headers = IngestRequestHeaders.of(stream, httpHeaders);
        return handle(headers, () -> {
            Request request = admit(headers, body, limits.getMaxEventSize().toBytes());
            JsonNode event = parse(request, request.body());
            return request.deduplicated(() -> single(request, event));
        });
    }

    @POST
    @Path("/batch")
    public CompletionStage<Response> postBatch(@PathParam("stream") String stream, @Context HttpHeaders httpHeaders,
                                               InputStream body) {
        IngestRequestHeaders headers = IngestRequestHeaders.of(stream, httpHeaders);
        return handle(headers, () -> {
            Request request = admit(headers, body, limits.getMaxBatchSize().toBytes());
            List<BatchItem> items = parseBatch(request);
            return request.deduplicated(() -> batch(request, items));
        });
    }

    private CompletionStage<Response> handle(IngestRequestHeaders headers,
                                             Supplier<CompletableFuture<IngestAnswer>> work) {
        CompletableFuture<IngestAnswer> answer;
        try {
            answer = work.get();
        } catch (RuntimeException failure) {
            answer = CompletableFuture.failedFuture(failure);
        }
        return answer.handle((result, failure) -> {
            if (failure != null) {
                result = answerFor(failure);
            }
            if (result.body() instanceof ApiError error) {
                metrics.rejected(IngestStream.byName(headers.stream).map(IngestStream::streamName).orElse("unknown"),
                        error.error());
            }
            return result.toResponse();
        });
    }

    /** The answer for a request that failed with an exception; anything unforeseen is logged as the 500 it becomes. */
    static IngestAnswer answerFor(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ApiError.Failure known) {
            return IngestAnswer.error(known.error());
        }
        LOG.error("Handling an ingest request failed unexpectedly; answering 500", cause);
        return IngestAnswer.error(ApiError.of(500, "internal_error", "The gateway failed to handle"
                + " the event (" + cause.getClass().getSimpleName() + "); it was not stored."));
    }

    /** What every request must pass before its body is looked at, and the body read within its limit. */
    private Request admit(IngestRequestHeaders headers, InputStream body, long maxBytes) {
        String streamName = headers.stream;
        String contentType = headers.contentType;
        String idempotencyKey = headers.idempotencyKey;
        String traceparent = headers.traceparent;
        ApiKey key = Caller.authenticate(keys, headers.authorization);
        IngestStream stream = IngestStream.byName(streamName).orElseThrow(() -> ApiError.of(404, "unknown_stream",
                "There is no stream '" + EventIntake.abbreviate(streamName) + "'; the streams are "
                        + Arrays.stream(IngestStream.values()).map(IngestStream::streamName).toList()
                        + " (GET /v1/streams).").asException());
        Caller.requireScope(key, stream.scope());
        if (contentType == null || !MediaType.APPLICATION_JSON_TYPE.isCompatible(MediaType.valueOf(contentType))) {
            throw ApiError.of(415, "unsupported_media_type", "Send the event as JSON with the header"
                    + " 'Content-Type: application/json'" + (contentType == null ? "" : ", not '"
                    + EventIntake.abbreviate(contentType) + "'") + ".").asException();
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_LENGTH)) {
            throw ApiError.of(400, "invalid_header", "The Idempotency-Key header must be 1 to "
                    + MAX_IDEMPOTENCY_KEY_LENGTH + " characters.", IDEMPOTENCY_KEY).asException();
        }
        EventIntake.requireValidTraceparent(traceparent);
        if (headers.contentLength != null && headers.contentLength > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] bytes;
        try {
            bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 1, maxBytes + 1));
        } catch (IOException e) {
            throw ApiError.of(400, "malformed_request", "The request body could not be read: " + e.getMessage())
                    .asException();
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        return new Request(key, stream, bytes, idempotencyKey, traceparent, System.currentTimeMillis());
    }

    private static ApiError.Failure tooLarge(long maxBytes) {
        return ApiError.of(413, "too_large", "The request body is larger than the limit of " + maxBytes
                + " bytes; send smaller events, or split the batch.").asException();
    }

    private JsonNode parse(Request request, byte[] json) {
        try (JsonParser parser = mapper.createParser(json)) {
            JsonNode node = mapper.readTree(parser);
            if (node == null || parser.nextToken() != null) {
                throw new JsonParseException(parser, node == null ? "empty body" : "more than one JSON value");
            }
            return node;
        } catch (IOException e) {
            throw malformed(request, e);
        }
    }

    private ApiError.Failure malformed(Request request, IOException e) {
        String problem = e instanceof JsonParseException parse
                ? parse.getOriginalMessage() + " at line " + parse.getLocation().getLineNr() + ", column "
                + parse.getLocation().getColumnNr() : e.getMessage();
        String oneLine = problem.replace('\n', ' ');
        ApiError error = ApiError.of(400, "malformed_json", "The body is not valid JSON: "
                + (oneLine.length() > 240 ? oneLine.substring(0, 237) + "..." : oneLine) + ".");
        rejected.record(request.stream(), request.key().tenant(), null, error, request.body());
        return error.asException();
    }

    private CompletableFuture<IngestAnswer> single(Request request, JsonNode event) {
        EventIntake.Prepared prepared;
        try {
            prepared = intake.prepare(request.stream(), request.key(), event, request.eventIdFor(-1),
                    request.traceparent(), request.receivedAt());
        } catch (ApiError.Failure failure) {
            rejected.record(request.stream(), request.key().tenant(), event.path("eventId").textValue(),
                    failure.error(), request.body());
            throw failure;
        }
        ApiError limited = rateLimits.tryAcquire(request.key().tenant(), 1);
        if (limited != null) {
            throw limited.asException();
        }
        return publisher.publish(List.of(prepared.record())).thenApply(outcomes -> {
            PublishOutcome outcome = outcomes.get(0);
            if (outcome instanceof PublishOutcome.Accepted accepted) {
                metrics.accepted(request.stream().streamName(), accepted.spooled(), 1);
                return IngestAnswer.of(202, acceptance(prepared.eventId(), accepted));
            }
            return IngestAnswer.error(((PublishOutcome.Refused) outcome).error());
        });
    }

    private static Map<String, Object> acceptance(String eventId, PublishOutcome.Accepted accepted) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("eventId", eventId);
        body.put("topic", accepted.topic());
        if (accepted.spooled()) {
            body.put("spooled", true);
        } else {
            body.put("partition", accepted.partition());
            body.put("offset", accepted.offset());
        }
        return body;
    }

    /** One element of a batch: its JSON, and its bytes exactly as the body held them. */
    private record BatchItem(JsonNode event, byte[] received) {
        long bytes() {
            return received.length;
        }
    }

    /** Reads {@code {"events": [...]}} as a stream, measuring each event's size on the way. */
    private List<BatchItem> parseBatch(Request request) {
        List<BatchItem> items = new ArrayList<>();
        try (JsonParser parser = mapper.createParser(request.body())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw ApiError.of(422, "schema_violation", "A batch must be a JSON object {\"events\": [...]}.",
                        "$").asException();
            }
            boolean sawEvents = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!"events".equals(field)) {
                    throw ApiError.of(422, "schema_violation", "A batch holds only \"events\"; \""
                            + EventIntake.abbreviate(field) + "\" is not allowed.", field).asException();
                }
                if (value != JsonToken.START_ARRAY) {
                    throw ApiError.of(422, "schema_violation", "events must be an array of events.", "events")
                            .asException();
                }
                sawEvents = true;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    if (items.size() == limits.getMaxBatchEvents()) {
                        throw ApiError.of(413, "too_large", "A batch holds at most " + limits.getMaxBatchEvents()
                                + " events; split it.", "events").asException();
                    }
                    int start = (int) parser.currentTokenLocation().getByteOffset();
                    JsonNode event = mapper.readTree(parser);
                    int end = (int) parser.currentLocation().getByteOffset();
                    items.add(new BatchItem(event, Arrays.copyOfRange(request.body(), start, end)));
                }
            }
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "more than one JSON value");
            }
            if (!sawEvents || items.isEmpty()) {
                throw ApiError.of(422, "schema_violation", "A batch needs at least one event in \"events\".",
                        "events").asException();
            }
            return items;
        } catch (IOException e) {
            throw malformed(request, e);
        }
    }

    private CompletableFuture<IngestAnswer> batch(Request request, List<BatchItem> items) {
        Object[] results = new Object[items.size()];
        ApiError[] errors = new ApiError[items.size()];
        List<EventIntake.Prepared> valid = new ArrayList<>(items.size());
        List<Integer> validIndexes = new ArrayList<>(items.size());
        long maxEventBytes = limits.getMaxEventSize().toBytes();
        for (int i = 0; i < items.size(); i++) {
            BatchItem item = items.get(i);
            ApiError error = null;
            if (item.bytes() > maxEventBytes) {
                error = ApiError.of(413, "too_large", "Event " + i + " is " + item.bytes()
                        + " bytes, more than the limit of " + maxEventBytes + " bytes per event.");
            } else {
                try {
                    EventIntake.Prepared prepared = intake.prepare(request.stream(), request.key(), item.event(),
                            request.eventIdFor(i), request.traceparent(), request.receivedAt());
                    valid.add(prepared);
                    validIndexes.add(i);
                } catch (ApiError.Failure failure) {
                    error = failure.error();
                }
            }
            if (error != null) {
                results[i] = failedResult(i, error);
                errors[i] = error;
                metrics.rejected(request.stream().streamName(), error.error());
                // As received: preparing may have stamped fields into the tree before it failed.
                rejected.record(request.stream(), request.key().tenant(), item.event().path("eventId").textValue(),
                        error, item.received());
            }
        }
        if (valid.isEmpty()) {
            return CompletableFuture.completedFuture(batchAnswer(results, errors, 0));
        }
        ApiError limited = rateLimits.tryAcquire(request.key().tenant(), valid.size());
        if (limited != null) {
            throw limited.asException();
        }
        List<OutgoingRecord> records = valid.stream().map(EventIntake.Prepared::record).toList();
        return publisher.publish(records).thenApply(outcomes -> {
            int acceptedCount = 0;
            boolean spooled = false;
            for (int j = 0; j < outcomes.size(); j++) {
                int index = validIndexes.get(j);
                if (outcomes.get(j) instanceof PublishOutcome.Accepted accepted) {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("index", index);
                    result.put("status", 202);
                    result.putAll(acceptance(valid.get(j).eventId(), accepted));
                    results[index] = result;
                    acceptedCount++;
                    spooled |= accepted.spooled();
                } else {
                    ApiError error = ((PublishOutcome.Refused) outcomes.get(j)).error();
                    results[index] = failedResult(index, error);
                    errors[index] = error;
                    metrics.rejected(request.stream().streamName(), error.error());
                }
            }
            if (acceptedCount > 0) {
                metrics.accepted(request.stream().streamName(), spooled, acceptedCount);
            }
            return batchAnswer(results, errors, acceptedCount);
        });
    }

    private static Map<String, Object> failedResult(int index, ApiError error) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("index", index);
        result.put("status", error.status());
        result.put("error", error.error());
        result.put("message", error.message());
        if (!error.details().isEmpty()) {
            result.put("details", error.details());
        }
        return result;
    }

    /**
     * 202 when every event was accepted, 207 when some were, otherwise the status of the first
     * failure (422 for invalid events, 503 when Kafka took none); the body always lists every event.
     */
    private static IngestAnswer batchAnswer(Object[] results, ApiError[] errors, int acceptedCount) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", acceptedCount);
        body.put("rejected", results.length - acceptedCount);
        body.put("results", Arrays.asList(results));
        if (acceptedCount == results.length) {
            return IngestAnswer.of(202, body);
        }
        if (acceptedCount > 0) {
            return IngestAnswer.of(207, body);
        }
        // The first 503 sets the status and its own Retry-After: overloaded, spool full and registry down differ.
        for (ApiError error : errors) {
            if (error != null && error.status() == 503) {
                return new IngestAnswer(503, body, error.retryAfterSeconds(), false);
            }
        }
        return new IngestAnswer(422, body, null, false);
    }

    /** An admitted request: who sent what to which stream. */
    private final class Request {
        private final ApiKey key;
        private final IngestStream stream;
        private final byte[] body;
        private final String idempotencyKey;
        private final String traceparent;
        private final long receivedAt;

        Request(ApiKey key, IngestStream stream, byte[] body, String idempotencyKey, String traceparent,
                long receivedAt) {
            this.key = key;
            this.stream = stream;
            this.body = body;
            this.idempotencyKey = idempotencyKey;
            this.traceparent = traceparent;
            this.receivedAt = receivedAt;
        }

        ApiKey key() {
            return key;
        }

        IngestStream stream() {
            return stream;
        }

        byte[] body() {
            return body;
        }

        String traceparent() {
            return traceparent;
        }

        long receivedAt() {
            return receivedAt;
        }

        /** The id of an event without its own eventId; {@code index} -1 for a single event. */
        String eventIdFor(int index) {
            if (idempotencyKey == null) {
                return EventIds.newId();
            }
            return index < 0 ? EventIds.fromIdempotencyKey(key.tenant(), idempotencyKey)
                    : EventIds.fromIdempotencyKey(key.tenant(), idempotencyKey, index);
        }

        CompletableFuture<IngestAnswer> deduplicated(Supplier<CompletableFuture<IngestAnswer>> work) {
            if (idempotencyKey == null) {
                return work.get();
            }
            return idempotency.answer(key.tenant(), stream.streamName(), idempotencyKey, sha256(body), () -> {
                try {
                    return work.get();
                } catch (ApiError.Failure failure) {
                    return CompletableFuture.completedFuture(IngestAnswer.error(failure.error()));
                }
            });
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
