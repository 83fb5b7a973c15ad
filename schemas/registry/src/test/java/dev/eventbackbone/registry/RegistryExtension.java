package dev.eventbackbone.registry;

import dev.eventbackbone.embeddedkafka.EmbeddedKafkaCluster;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.testing.AvroRecords;
import dev.eventbackbone.testing.TestServer;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A registry of its own for one test class, on the module's shared broker and a schemas topic
 * no other class uses, started before the class's {@code @BeforeAll} methods and stopped after
 * its last test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RegistryExtension registry = new RegistryExtension();
 * ... registry.url() ... registry.bootstrapServers() ... registry.avro().read(topic) ...
 * }</pre>
 *
 * <p>A class that runs a whole topology on the catalog's own topic names takes a broker of its own
 * instead ({@link #onItsOwnBroker()}): on the shared broker another class's application would read
 * its records, written with schema ids of another registry, and it theirs.
 */
public final class RegistryExtension implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedKafkaCluster kafka;
    private TestServer<SchemaRegistryConfiguration> server;
    private boolean ownBroker;

    /** Starts a single-node broker for this class alone, closed after its last test. */
    public RegistryExtension onItsOwnBroker() {
        ownBroker = true;
        return this;
    }

    /** A registry in this JVM on a free loopback port, keeping its schemas in {@code schemasTopic} (BACKWARD by default). */
    public static TestServer<SchemaRegistryConfiguration> start(String bootstrapServers, String schemasTopic) {
        return start(bootstrapServers, schemasTopic, 0);
    }

    /** The same on a given port, so that a registry stopped and started again is where its clients expect it. */
    public static TestServer<SchemaRegistryConfiguration> start(String bootstrapServers, String schemasTopic, int port) {
        SchemaRegistryConfiguration configuration = new SchemaRegistryConfiguration().embeddedOnLoopback(port);
        configuration.getKafka().setBootstrapServers(bootstrapServers);
        configuration.setSchemasTopic(schemasTopic);
        return TestServer.start(SchemaRegistryApplication.class, configuration);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = ownBroker ? EmbeddedKafkaCluster.builder().nodes(1).start()
                : EmbeddedKafkaExtension.sharedCluster(context);
        server = start(kafka.bootstrapServers(),
                "_schemas-" + context.getRequiredTestClass().getSimpleName() + "-" + UUID.randomUUID());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
        if (ownBroker) {
            kafka.close();
        }
    }

    /** The registry's base URL, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return server.url();
    }

    /** The registry's admin servlets (health, metrics), on its one port under {@code /admin}. */
    public String adminUrl() {
        return server.url() + "/admin";
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Avro records on the shared broker through this registry. */
    public AvroRecords avro() {
        return new AvroRecords(bootstrapServers(), url());
    }
}
