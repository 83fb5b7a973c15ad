package dev.eventbackbone.ingest;

import io.dropwizard.logging.common.ExternalLoggingFactory;
import io.dropwizard.testing.DropwizardTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.function.Consumer;

/** A gateway started in-process on free loopback ports, with the test's own logging. */
final class GatewayTestServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final DropwizardTestSupport<IngestGatewayConfiguration> app;

    private GatewayTestServer(DropwizardTestSupport<IngestGatewayConfiguration> app) {
        this.app = app;
    }

    static IngestGatewayConfiguration configuration(String bootstrapServers, String registryUrl, Path keysFile) {
        IngestGatewayConfiguration configuration = new IngestGatewayConfiguration().embeddedOnLoopback(0, 0);
        configuration.getKafka().setBootstrapServers(bootstrapServers);
        configuration.getRegistry().setUrl(registryUrl);
        configuration.setKeysFile(keysFile);
        configuration.setLoggingFactory(new ExternalLoggingFactory());
        return configuration;
    }

    static GatewayTestServer start(IngestGatewayConfiguration configuration, Consumer<IngestGatewayConfiguration> adjust) {
        adjust.accept(configuration);
        DropwizardTestSupport<IngestGatewayConfiguration> app =
                new DropwizardTestSupport<>(IngestGatewayApplication.class, configuration);
        try {
            app.before();
        } catch (Exception e) {
            app.after();
            throw new IllegalStateException("Ingest gateway did not start", e);
        }
        return new GatewayTestServer(app);
    }

    String url() {
        return "http://127.0.0.1:" + app.getLocalPort();
    }

    String adminUrl() {
        return "http://127.0.0.1:" + app.getAdminPort();
    }

    HttpResponse<String> post(String path, String apiKey, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    HttpResponse<String> get(String url, String apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return send(request.build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        app.after();
    }
}
