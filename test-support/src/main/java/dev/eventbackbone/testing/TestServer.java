package dev.eventbackbone.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.logging.common.ExternalLoggingFactory;
import io.dropwizard.testing.DropwizardTestSupport;
import java.net.http.HttpResponse;

/**
 * Any of our Dropwizard services started in this JVM from a configuration the test built (on
 * loopback and free ports: {@code embeddedOnLoopback(0, 0)}), logging through the test's own
 * logback configuration, answering over real HTTP.
 *
 * <pre>{@code
 * try (TestServer<AuditStoreConfiguration> store = TestServer.start(AuditStoreApplication.class, configuration)) {
 *     JsonNode page = store.getJson("/v1/audit/events", apiKey);
 * }
 * }</pre>
 */
public final class TestServer<C extends Configuration> implements AutoCloseable {

    private final DropwizardTestSupport<C> app;

    private TestServer(DropwizardTestSupport<C> app) {
        this.app = app;
    }

    /** Starts the application and waits until both of its ports serve. */
    public static <C extends Configuration> TestServer<C> start(Class<? extends Application<C>> application,
                                                                C configuration) {
        configuration.setLoggingFactory(new ExternalLoggingFactory());
        DropwizardTestSupport<C> app = new DropwizardTestSupport<>(application, configuration);
        try {
            app.before();
        } catch (Exception e) {
            app.after();
            throw new IllegalStateException(application.getSimpleName() + " did not start", e);
        }
        return new TestServer<>(app);
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String url() {
        return "http://127.0.0.1:" + app.getLocalPort();
    }

    /** The admin connector (health, metrics): {@code http://127.0.0.1:<admin port>}. */
    public String adminUrl() {
        return "http://127.0.0.1:" + app.getAdminPort();
    }

    /** {@code GET path} on the application port, with the API key when it is not null. */
    public HttpResponse<String> get(String path, String apiKey) {
        return Http.get(url() + path, apiKey);
    }

    /** The JSON body of a {@code 200} answer to {@code GET path}. */
    public JsonNode getJson(String path, String apiKey) {
        return Http.getJson(url() + path, apiKey);
    }

    /** {@code POST path} with a JSON body on the application port; see {@link Http#post}. */
    public HttpResponse<String> post(String path, String apiKey, String json, String... headers) {
        return Http.post(url() + path, apiKey, json, headers);
    }

    /** {@code GET path} on the admin port. */
    public HttpResponse<String> admin(String path) {
        return Http.get(adminUrl() + path, null);
    }

    /** Stops the application; its data stays where its configuration put it. */
    @Override
    public void close() {
        app.after();
    }
}
