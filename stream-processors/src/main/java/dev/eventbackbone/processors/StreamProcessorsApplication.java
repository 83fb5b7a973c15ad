package dev.eventbackbone.processors;

import com.codahale.metrics.Gauge;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.processors.audit.AuditNormalizationTopology;
import dev.eventbackbone.processors.audit.AuditSerdes;
import dev.eventbackbone.processors.orders.OrderSerdes;
import dev.eventbackbone.processors.orders.OrderTopology;
import dev.eventbackbone.service.ServiceApplication;
import io.dropwizard.core.setup.Environment;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The stream processors service: runs the audit normalization and order topologies, each its own
 * Kafka Streams application with exactly-once processing,
 * health checks and metrics on the admin port. Run alone with {@code ... StreamProcessorsApplication
 * server stream-processors.yml}, or embedded with a configuration built in code; it keeps no static state.
 */
public class StreamProcessorsApplication extends ServiceApplication<StreamProcessorsConfiguration> {

    public static void main(String[] args) throws Exception {
        AvroDeserializer.trustBackboneClasses();
        new StreamProcessorsApplication().run(args);
    }

    @Override
    public String getName() {
        return "stream-processors";
    }

    @Override
    public void run(StreamProcessorsConfiguration configuration, Environment environment) {
        SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(registryClientConfig(configuration));
        // Built before anything starts, so settings that must not run (IP hashing without a key) stop startup.
        ManagedStreams audit = new ManagedStreams(AuditNormalizationTopology.COMPONENT,
                AuditNormalizationTopology.build(configuration.getAudit(), AuditSerdes.on(registry)),
                streamsConfig(configuration, configuration.getApplicationId()));
        environment.lifecycle().manage(audit);
        environment.healthChecks().register(AuditNormalizationTopology.COMPONENT, audit.healthCheck());
        for (String metric : new String[] {"duplicates-dropped-total", "dead-letters-total"}) {
            environment.metrics().register("audit-normalizer." + metric, (Gauge<Double>) () -> audit.total(metric));
        }
        // Its own application: it scales, rebalances and fails apart from the audit normalizer.
        ManagedStreams orders = new ManagedStreams(OrderTopology.COMPONENT,
                OrderTopology.build(configuration.getOrders(), OrderSerdes.on(registry)),
                streamsConfig(configuration, configuration.getOrders().getApplicationId()));
        environment.lifecycle().manage(orders);
        environment.healthChecks().register(OrderTopology.COMPONENT, orders.healthCheck());
    }

    /** Client settings first, then Streams tuning, then what the service must have its own way. */
    static Map<String, Object> streamsConfig(StreamProcessorsConfiguration configuration, String applicationId) {
        Map<String, Object> config = configuration.getKafka().clientConfig();
        // Kafka 5.0's default, taken now: the topology has no global state, and it silences a start-up warning.
        config.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        config.putAll(configuration.getKafka().getStreamsProperties());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.STATE_DIR_CONFIG, configuration.getStateDir().toAbsolutePath().toString());
        // Each event once: outputs, state and offsets commit together (the audit log's promise, the orders' too).
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return config;
    }

    private static Map<String, Object> registryClientConfig(StreamProcessorsConfiguration configuration) {
        return configuration.getRegistry().clientConfig();
    }
}
