package dev.eventbackbone.ingest;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;

/** What both ingest endpoints read from the request line and headers, injected by Jersey. */
public final class IngestRequestHeaders {

    @PathParam("stream")
    String stream;

    @HeaderParam(HttpHeaders.AUTHORIZATION)
    String authorization;

    @HeaderParam(HttpHeaders.CONTENT_TYPE)
    String contentType;

    @HeaderParam(HttpHeaders.CONTENT_LENGTH)
    Long contentLength;

    @HeaderParam(EventsResource.IDEMPOTENCY_KEY)
    String idempotencyKey;

    @HeaderParam("traceparent")
    String traceparent;
}
