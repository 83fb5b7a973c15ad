package dev.eventbackbone.ingest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Renders every error the same way, {@code {error, message, details}}: the gateway's own, and those
 * Jersey raises before a resource runs (unknown path, wrong method).
 */
final class IngestErrorMapper implements ExceptionMapper<Exception> {

    @Override
    public Response toResponse(Exception exception) {
        if (exception instanceof IngestError.Failure failure) {
            return IngestAnswer.error(failure.error()).toResponse();
        }
        if (exception instanceof WebApplicationException web) {
            int status = web.getResponse().getStatus();
            String code = switch (status) {
                case 404 -> "not_found";
                case 405 -> "method_not_allowed";
                case 406 -> "not_acceptable";
                case 415 -> "unsupported_media_type";
                default -> status >= 500 ? "internal_error" : "bad_request";
            };
            return IngestAnswer.error(IngestError.of(status, code, web.getMessage()
                    + (status == 404 ? ". The API: POST /v1/events/{stream}, POST /v1/events/{stream}/batch,"
                    + " GET /v1/streams, GET /openapi.json." : ""))).toResponse();
        }
        org.slf4j.LoggerFactory.getLogger(IngestErrorMapper.class).error("Unexpected failure", exception);
        return IngestAnswer.error(IngestError.of(500, "internal_error", "The gateway failed ("
                + exception.getClass().getSimpleName() + "); nothing was stored.")).toResponse();
    }
}
