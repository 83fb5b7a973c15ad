package dev.eventbackbone.service;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Context;
import java.io.IOException;

/**
 * A refusal answered before the request body was read to its end says {@code Connection: close}.
 * Jetty ends such a connection after the answer; without the header a client could send its next
 * request on it and see that request fail without an answer.
 */
final class UnreadBodyClosesConnection implements ContainerResponseFilter {

    @Context
    private HttpServletRequest request;

    @Override
    public void filter(ContainerRequestContext requestContext, ContainerResponseContext response) {
        if (response.getStatus() >= 400 && bodyLeftUnread()) {
            response.getHeaders().putSingle("Connection", "close");
        }
    }

    private boolean bodyLeftUnread() {
        try {
            return !request.getInputStream().isFinished();
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }
}
