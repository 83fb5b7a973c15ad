package dev.eventbackbone.registry;

import dev.eventbackbone.embeddedkafka.EmbeddedKafkaCluster;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
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
 * ... registry.url() ... registry.bootstrapServers() ...
 * }</pre>
 */
public final class RegistryExtension implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedKafkaCluster kafka;
    private RegistryTestServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = EmbeddedKafkaExtension.sharedCluster(context);
        server = RegistryTestServer.start(kafka.bootstrapServers(),
                "_schemas-" + context.getRequiredTestClass().getSimpleName() + "-" + UUID.randomUUID());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }

    /** The registry's base URL, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return server.url();
    }

    /** The shared broker the registry keeps its schemas on. */
    public EmbeddedKafkaCluster kafka() {
        return kafka;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }
}
