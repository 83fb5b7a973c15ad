package dev.eventbackbone.service;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.LoggerFactory;

/**
 * Renders every failure of a service's API as an {@link ApiError}: the service's own, those Jersey
 * raises before a resource runs (unknown path, wrong method or media type), and unexpected ones,
 * which are logged and answered 500 without their details.
 */
public final class ApiErrorMapper implements ExceptionMapper<Exception> {

    private final String routes;
    private final String unexpectedFailure;

    /**
     * @param routes            what a 404 adds to help the caller, e.g. {@code "The API: GET /v1/audit/events, ..."}
     * @param unexpectedFailure the message of a 500, with {@code %s} for the exception's class, e.g.
     *                          {@code "The audit store failed (%s); nothing was changed."}
     */
    public ApiErrorMapper(String routes, String unexpectedFailure) {
        this.routes = routes;
        this.unexpectedFailure = unexpectedFailure;
    }

    @Override
    public Response toResponse(Exception exception) {
        if (exception instanceof ApiError.Failure failure) {
            return failure.error().toResponse();
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
            return ApiError.of(status, code, web.getMessage() + (status == 404 ? ". " + routes : "")).toResponse();
        }
        LoggerFactory.getLogger(ApiErrorMapper.class).error("Unexpected failure", exception);
        return ApiError.of(500, "internal_error", unexpectedFailure.formatted(exception.getClass().getSimpleName()))
                .toResponse();
    }
}
