package dev.eventbackbone.audit;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.List;
import org.slf4j.LoggerFactory;

/** An error answer of the audit API, the JSON body {@code {error, message, details}} the gateway also uses. */
record ApiError(@JsonIgnore int status, String error, String message, List<Detail> details) {

    /** One field at fault. */
    record Detail(String field, String problem) {
    }

    static Failure of(int status, String error, String message) {
        return new Failure(new ApiError(status, error, message, List.of()));
    }

    static Failure badParameter(String field, String message) {
        return new Failure(new ApiError(400, "invalid_parameter", message, List.of(new Detail(field, message))));
    }

    Response toResponse() {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(this).build();
    }

    /** Thrown from request handling; {@link Mapper} renders it. */
    static final class Failure extends RuntimeException {
        private final ApiError error;

        Failure(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    /** Renders every failure, including Jersey's own, in the one error shape. */
    static final class Mapper implements ExceptionMapper<Exception> {
        @Override
        public Response toResponse(Exception exception) {
            if (exception instanceof Failure failure) {
                return failure.error.toResponse();
            }
            if (exception instanceof WebApplicationException web) {
                int status = web.getResponse().getStatus();
                String code = switch (status) {
                    case 404 -> "not_found";
                    case 405 -> "method_not_allowed";
                    default -> status >= 500 ? "internal_error" : "bad_request";
                };
                return new ApiError(status, code, web.getMessage() + (status == 404 ? ". The API: GET /v1/audit/events,"
                        + " /v1/audit/events/{eventId}, /v1/audit/verify, /v1/audit/export, /v1/audit/checkpoints,"
                        + " /v1/audit/public-key." : ""), List.of()).toResponse();
            }
            LoggerFactory.getLogger(ApiError.class).error("Unexpected failure", exception);
            return new ApiError(500, "internal_error", "The audit store failed (" + exception.getClass().getSimpleName()
                    + "); nothing was changed.", List.of()).toResponse();
        }
    }
}
