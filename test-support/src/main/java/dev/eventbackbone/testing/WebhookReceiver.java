package dev.eventbackbone.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.eventbackbone.embeddedkafka.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP server on loopback that receives webhooks, answers each as the test says (200 unless
 * told otherwise), and keeps every request with its headers and body.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request: when, to which path, its headers and body, and the status it got. */
    public record Delivery(long atMillis, String path, Map<String, List<String>> headers, String body, int status) {
        public String header(String name) {
            return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** The answer to give: a status and, when above 0, a Retry-After in seconds. */
    public record Answer(int status, int retryAfterSeconds) {
    }

    private final HttpServer server;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private volatile Function<String, Answer> answers = path -> new Answer(200, 0);

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::receive);
        server.start();
    }

    public void answer(Function<String, Answer> answers) {
        this.answers = answers;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    private void receive(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String path = exchange.getRequestURI().getPath();
        Answer answer = answers.apply(path);
        deliveries.add(new Delivery(System.currentTimeMillis(), path, Map.copyOf(exchange.getRequestHeaders()), body,
                answer.status()));
        if (answer.retryAfterSeconds() > 0) {
            exchange.getResponseHeaders().add("Retry-After", String.valueOf(answer.retryAfterSeconds()));
        }
        exchange.sendResponseHeaders(answer.status(), -1);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
