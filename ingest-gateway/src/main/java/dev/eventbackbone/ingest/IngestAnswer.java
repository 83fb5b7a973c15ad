package dev.eventbackbone.ingest;

import dev.eventbackbone.service.ApiError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** An HTTP answer of the ingest endpoints, kept as data so the idempotency cache can replay it. */
record IngestAnswer(int status, Object body, Integer retryAfterSeconds, boolean replayed) {

    static final String REPLAYED_HEADER = "Idempotent-Replayed";

    static IngestAnswer of(int status, Object body) {
        return new IngestAnswer(status, body, null, false);
    }

    static IngestAnswer error(ApiError error) {
        return new IngestAnswer(error.status(), error, error.retryAfterSeconds(), false);
    }

    /**
     * Roughly what the answer takes in memory: a batch's grows with its results, about 200 bytes
     * each as the JSON it becomes; anything else is small.
     */
    long estimatedBytes() {
        if (body instanceof java.util.Map<?, ?> map && map.get("results") instanceof java.util.List<?> results) {
            return 256 + 200L * results.size();
        }
        return 256;
    }

    boolean accepted() {
        return status == 202 || status == 207;
    }

    IngestAnswer asReplay() {
        return new IngestAnswer(status, body, retryAfterSeconds, true);
    }

    Response toResponse() {
        Response.ResponseBuilder response = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
        if (retryAfterSeconds != null) {
            response.header("Retry-After", retryAfterSeconds);
        }
        if (replayed) {
            response.header(REPLAYED_HEADER, "true");
        }
        return response.build();
    }
}
