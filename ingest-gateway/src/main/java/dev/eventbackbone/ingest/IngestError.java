package dev.eventbackbone.ingest;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An error answer of the gateway: the HTTP status, a stable machine-readable code, a message that
 * says what was wrong and what to do, and details (for schema violations, one entry per field
 * path). Rendered as the JSON body {@code {error, message, details}}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record IngestError(@JsonIgnore int status, String error, String message, List<Detail> details,
                   @JsonIgnore Integer retryAfterSeconds) {

    /** One thing at fault: a field path and what is wrong with it. */
    record Detail(String field, String problem) {
        @Override
        public String toString() {
            return field + ": " + problem;
        }
    }

    IngestError {
        details = details == null ? List.of() : List.copyOf(details);
    }

    static IngestError of(int status, String error, String message) {
        return new IngestError(status, error, message, List.of(), null);
    }

    static IngestError of(int status, String error, String message, String field) {
        return new IngestError(status, error, message, List.of(new Detail(field, message)), null);
    }

    IngestError retryAfter(int seconds) {
        return new IngestError(status, error, message, details, seconds);
    }

    /** Thrown from request handling; the exception mapper renders the error. */
    static final class Failure extends RuntimeException {
        private final IngestError error;

        Failure(IngestError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        IngestError error() {
            return error;
        }
    }

    Failure asException() {
        return new Failure(this);
    }
}
