package dev.eventbackbone.service;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * An error answer of any backbone API: the HTTP status, a stable machine-readable code, a message
 * that says what was wrong and what to do, and details (one entry per field at fault). Rendered as
 * the JSON body {@code {error, message, details}}, with {@code Retry-After} when a retry will help.
 *
 * <pre>{@code
 * throw ApiError.badParameter("limit", "limit must be between 1 and 1000, not 0.").asException();
 * }</pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(@JsonIgnore int status, String error, String message, List<Detail> details,
                       @JsonIgnore Integer retryAfterSeconds) {

    /** One thing at fault: a field path and what is wrong with it. */
    public record Detail(String field, String problem) {
        @Override
        public String toString() {
            return field + ": " + problem;
        }
    }

    public ApiError {
        details = details == null ? List.of() : List.copyOf(details);
    }

    public static ApiError of(int status, String error, String message) {
        return new ApiError(status, error, message, List.of(), null);
    }

    /** An error about one field, the message doubling as the field's problem. */
    public static ApiError of(int status, String error, String message, String field) {
        return new ApiError(status, error, message, List.of(new Detail(field, message)), null);
    }

    /** A query or path parameter the API cannot use: 400 {@code invalid_parameter} naming it. */
    public static ApiError badParameter(String field, String message) {
        return of(400, "invalid_parameter", message, field);
    }

    /** The same error, telling the client to retry after this many seconds. */
    public ApiError retryAfter(int seconds) {
        return new ApiError(status, error, message, details, seconds);
    }

    /** The exception that request handling throws; {@link ApiErrorMapper} renders it. */
    public Failure asException() {
        return new Failure(this);
    }

    /** The HTTP answer: status, JSON body and, when set, {@code Retry-After}. */
    public Response toResponse() {
        Response.ResponseBuilder response = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(this);
        if (retryAfterSeconds != null) {
            response.header("Retry-After", retryAfterSeconds);
        }
        return response.build();
    }

    /** An {@link ApiError} thrown from request handling. */
    public static final class Failure extends RuntimeException {
        private final ApiError error;

        Failure(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        public ApiError error() {
            return error;
        }
    }
}
