package dev.eventbackbone.embeddedkafka;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving test classes one single-node {@link EmbeddedKafkaCluster} shared by
 * every test class of the run (a module's Surefire or Failsafe run), started before the first
 * class that uses it and closed when the run ends (the cluster lives in the root context's store,
 * which closes {@link AutoCloseable} values). It is injected as an {@code EmbeddedKafkaCluster}
 * parameter of constructors, lifecycle and test methods. Tests share the broker, so each uses
 * its own topic names; a test that needs several nodes or stops one builds its own cluster.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedKafkaExtension.class)
 * class OrdersIT {
 *     @Test void placesOrder(EmbeddedKafkaCluster kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        sharedCluster(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return sharedCluster(context);
    }

    /** The run's shared cluster; the root store closes it (it is {@link AutoCloseable}) when the run ends. */
    public static EmbeddedKafkaCluster sharedCluster(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(EmbeddedKafkaCluster.class,
                type -> EmbeddedKafkaCluster.builder().start(), EmbeddedKafkaCluster.class);
    }
}
