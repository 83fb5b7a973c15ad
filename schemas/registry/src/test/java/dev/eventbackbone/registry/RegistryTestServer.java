package dev.eventbackbone.registry;

import io.dropwizard.logging.common.ExternalLoggingFactory;
import io.dropwizard.testing.DropwizardTestSupport;

/**
 * A schema registry started in-process for tests, on a free loopback port, against a given Kafka
 * and schemas topic. Logging stays with the test's logback configuration.
 *
 * <pre>{@code
 * try (RegistryTestServer registry = RegistryTestServer.start(kafka.bootstrapServers(), "_schemas-" + UUID.randomUUID())) {
 *     String url = registry.url(); // http://127.0.0.1:<port>, no trailing slash
 * }
 * }</pre>
 */
public final class RegistryTestServer implements AutoCloseable {

    private final DropwizardTestSupport<SchemaRegistryConfiguration> app;

    private RegistryTestServer(DropwizardTestSupport<SchemaRegistryConfiguration> app) {
        this.app = app;
    }

    /** Starts a registry with default settings (BACKWARD) on the given Kafka and topic. */
    public static RegistryTestServer start(String bootstrapServers, String schemasTopic) {
        return start(configuration(bootstrapServers, schemasTopic));
    }

    /** Starts a registry with settings a test adjusted, starting from {@link #configuration}. */
    public static RegistryTestServer start(SchemaRegistryConfiguration configuration) {
        DropwizardTestSupport<SchemaRegistryConfiguration> app =
                new DropwizardTestSupport<>(SchemaRegistryApplication.class, configuration);
        try {
            app.before();
        } catch (Exception e) {
            app.after();
            throw new IllegalStateException("Schema registry on topic '" + configuration.getSchemasTopic()
                    + "' did not start", e);
        }
        return new RegistryTestServer(app);
    }

    /** Test settings: loopback, a free port, no request log, the test's own logging. */
    public static SchemaRegistryConfiguration configuration(String bootstrapServers, String schemasTopic) {
        SchemaRegistryConfiguration configuration = new SchemaRegistryConfiguration().embeddedOnLoopback(0);
        configuration.getKafka().setBootstrapServers(bootstrapServers);
        configuration.setSchemasTopic(schemasTopic);
        configuration.setLoggingFactory(new ExternalLoggingFactory());
        return configuration;
    }

    /** The registry's base URL, {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String url() {
        return "http://127.0.0.1:" + app.getLocalPort();
    }

    @Override
    public void close() {
        app.after();
    }
}
