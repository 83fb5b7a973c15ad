package dev.eventbackbone.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The load tool counts the events an answer accepted, not the events it sent. */
class Http1ConnectionTest {

    private HttpServer server;

    @BeforeEach
    void answerAsTheGatewayDoes() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/all", exchange -> answer(exchange, 202, "{\"accepted\":10,\"rejected\":0,\"results\":[]}"));
        server.createContext("/part", exchange -> answer(exchange, 207,
                "{\"accepted\":7,\"rejected\":3,\"results\":[{\"index\":0,\"status\":202}]}"));
        server.createContext("/none", exchange -> answer(exchange, 422, "{\"error\":\"schema_violation\"}"));
        server.start();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
            throws java.io.IOException {
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aPartialAcceptanceCountsOnlyTheEventsItAccepted() throws Exception {
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        byte[] batch = "{\"events\":[]}".getBytes(StandardCharsets.UTF_8);
        try (Http1Connection all = new Http1Connection(URI.create(base + "/all"), "key");
             Http1Connection part = new Http1Connection(URI.create(base + "/part"), "key");
             Http1Connection none = new Http1Connection(URI.create(base + "/none"), "key")) {
            assertThat(all.post(batch, 10)).isEqualTo(new Http1Connection.Answer(202, 10));
            assertThat(part.post(batch, 10)).isEqualTo(new Http1Connection.Answer(207, 7));
            assertThat(part.post(batch, 10)).as("the connection stays usable").isEqualTo(new Http1Connection.Answer(207, 7));
            assertThat(none.post(batch, 10)).isEqualTo(new Http1Connection.Answer(422, 0));
        }
    }
}
