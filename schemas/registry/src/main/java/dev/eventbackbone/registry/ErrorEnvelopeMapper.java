package dev.eventbackbone.registry;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure, Jersey's own 404/405/406/415 included, into Confluent's error envelope
 * {@code {"error_code":..., "message":...}}: Confluent clients read {@code error_code} to decide,
 * for instance, that an endpoint they probe is missing and they should fall back.
 */
public final class ErrorEnvelopeMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorEnvelopeMapper.class);

    @Context
    private Request request;

    @Context
    private UriInfo uri;

    ErrorEnvelopeMapper() {
    }

    @Override
    public Response toResponse(Throwable failure) {
        if (failure instanceof RegistryException refused) {
            if (refused.httpStatus() >= 500) {
                LOG.error("Registry request failed: {}", refused.getMessage(), refused);
            }
            return envelope(refused.httpStatus(), refused.errorCode(), refused.getMessage());
        }
        if (failure instanceof WebApplicationException web) {
            Response.StatusType status = web.getResponse().getStatusInfo();
            return envelope(status.getStatusCode(), status.getStatusCode(), status.getStatusCode() + " "
                    + status.getReasonPhrase() + ": " + request.getMethod() + " /" + uri.getPath()
                    + (status.getStatusCode() == 404
                        ? " is not an endpoint of this registry, which implements the subset of"
                          + " Confluent's Schema Registry API that serializers use." : ""));
        }
        LOG.error("Unexpected failure serving a registry request", failure);
        return envelope(500, 500, "Internal server error: " + failure);
    }

    static Response envelope(int httpStatus, int errorCode, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error_code", errorCode);
        body.put("message", message);
        return Response.status(httpStatus).type(RegistryMediaTypes.V1_JSON).entity(body).build();
    }
}
