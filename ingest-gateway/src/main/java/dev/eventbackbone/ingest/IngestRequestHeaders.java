package dev.eventbackbone.ingest;

import jakarta.ws.rs.core.HttpHeaders;

/**
 * What both ingest endpoints read from the request line and headers. Built from the request's
 * headers rather than injected as a {@code @BeanParam}: Jersey creates a bean parameter through
 * HK2 on every request, looking up a converter per field by reflection that throws and fills a
 * stack trace each time, which was a third of the request threads' CPU.
 */
public final class IngestRequestHeaders {

    final String stream;
    final String authorization;
    final String contentType;
    final Long contentLength;
    final String idempotencyKey;
    final String traceparent;

    private IngestRequestHeaders(String stream, String authorization, String contentType, Long contentLength,
                                 String idempotencyKey, String traceparent) {
        this.stream = stream;
        this.authorization = authorization;
        this.contentType = contentType;
        this.contentLength = contentLength;
        this.idempotencyKey = idempotencyKey;
        this.traceparent = traceparent;
    }

    /** The stream of the path and the request's headers; a Content-Length that is no number is none. */
    static IngestRequestHeaders of(String stream, HttpHeaders headers) {
        return new IngestRequestHeaders(stream, headers.getHeaderString(HttpHeaders.AUTHORIZATION),
                headers.getHeaderString(HttpHeaders.CONTENT_TYPE), contentLength(headers),
                headers.getHeaderString(EventsResource.IDEMPOTENCY_KEY), headers.getHeaderString("traceparent"));
    }

    private static Long contentLength(HttpHeaders headers) {
        String value = headers.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
