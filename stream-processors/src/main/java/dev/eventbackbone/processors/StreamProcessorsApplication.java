package dev.eventbackbone.processors;

import com.codahale.metrics.Gauge;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.processors.audit.AuditNormalizationTopology;
import dev.eventbackbone.processors.audit.AuditSerdes;
import dev.eventbackbone.processors.audit.ErasableStateConfig;
import dev.eventbackbone.processors.notifications.DeliveryWorkers;
import dev.eventbackbone.processors.notifications.NotificationResource;
import dev.eventbackbone.processors.notifications.NotificationSerdes;
import dev.eventbackbone.processors.notifications.NotificationSettings;
import dev.eventbackbone.processors.notifications.NotificationTopology;
import dev.eventbackbone.processors.notifications.Templates;
import dev.eventbackbone.processors.orders.OrderResource;
import dev.eventbackbone.processors.orders.OrderRouting;
import dev.eventbackbone.processors.orders.OrderSerdes;
import dev.eventbackbone.processors.orders.OrderTopology;
import dev.eventbackbone.service.ApiErrorMapper;
import dev.eventbackbone.service.ManagedStreams;
import dev.eventbackbone.service.QueryRouter;
import dev.eventbackbone.service.ServiceApplication;
import dev.eventbackbone.service.StreamsOwnership;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Environment;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The stream processors service: runs the audit normalization, order and notification fan-out
 * topologies, each its own Kafka Streams application with exactly-once processing, and the
 * notification delivery workers,
 * health checks and metrics on the admin port. Run alone with {@code ... StreamProcessorsApplication
 * server stream-processors.yml}, or embedded with a configuration built in code; it keeps no static state.
 */
public class StreamProcessorsApplication extends ServiceApplication<StreamProcessorsConfiguration> {

    private static final String DELIVERY_CHECK = "notification-delivery";

    private static final Duration KEYS_RELOAD_INTERVAL = Duration.ofSeconds(2);
    private static final Duration ROUTED_TIMEOUT = Duration.ofSeconds(30);

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
        if (configuration.getServerFactory() instanceof AbstractServerFactory server) {
            server.setRegisterDefaultExceptionMappers(false);
        }
        SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(registryClientConfig(configuration));
        // Built before anything starts, so settings that must not run (IP hashing without a key) stop startup.
        Map<String, Object> auditConfig = streamsConfig(configuration, configuration.getApplicationId());
        auditConfig.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, ErasableStateConfig.class);
        ManagedStreams audit = new ManagedStreams(AuditNormalizationTopology.COMPONENT,
                AuditNormalizationTopology.build(configuration.getAudit(), AuditSerdes.on(registry)), auditConfig);
        environment.lifecycle().manage(audit);
        environment.healthChecks().register(AuditNormalizationTopology.COMPONENT, audit.healthCheck());
        for (String metric : new String[] {"duplicates-dropped-total", "dead-letters-total"}) {
            environment.metrics().register("audit-normalizer." + metric, (Gauge<Double>) () -> audit.total(metric));
        }
        // Orders and notifications are applications of their own: they scale, rebalance and fail apart from the
        // audit normalizer, and an instance may run either or both.
        String advertisedUrl = configuration.resolvedAdvertisedUrl();
        URI advertised = URI.create(advertisedUrl);
        HostInfo self = new HostInfo(advertised.getHost(), advertised.getPort());
        ApiKeyStore keys = ApiKeyStore.open(configuration.getKeysFile());
        keys.reloadEvery(environment.lifecycle().scheduledExecutorService("processors-keys").build(),
                KEYS_RELOAD_INTERVAL);
        QueryRouter router = new QueryRouter(advertisedUrl, ROUTED_TIMEOUT);
        environment.jersey().register(new ApiErrorMapper("The API: GET /v1/customers/{customerId}/orders,"
                + " /v1/customers/{customerId}/orders/{orderId}, /v1/inventory/{sku}, /v1/notifications/{eventId}.",
                "The stream processors failed (%s); nothing was changed."));
        if (configuration.getOrders().isEnabled()) {
            runOrders(configuration, environment, registry, keys, router, self, advertisedUrl);
        }
        if (configuration.getNotifications().isEnabled()) {
            runNotifications(configuration, environment, registry, keys, router, self, advertisedUrl);
        }
    }

    private static void runOrders(StreamProcessorsConfiguration configuration, Environment environment,
                                  SchemaRegistryClient registry, ApiKeyStore keys, QueryRouter router, HostInfo self,
                                  String advertisedUrl) {
        Map<String, Object> ordersConfig = streamsConfig(configuration, configuration.getOrders().getApplicationId());
        // Every instance's address in the group's metadata: a query for a key held elsewhere is forwarded there.
        ordersConfig.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        ManagedStreams orders = new ManagedStreams(OrderTopology.COMPONENT,
                OrderTopology.build(configuration.getOrders(), OrderSerdes.on(registry)), ordersConfig);
        environment.lifecycle().manage(orders);
        environment.healthChecks().register(OrderTopology.COMPONENT, orders.healthCheck());
        StreamsOwnership orderOwnership = new StreamsOwnership(orders::streams, OrderTopology.ORDERS_STORE,
                new StringSerializer(), self);
        StreamsOwnership stockOwnership = new StreamsOwnership(orders::streams, OrderTopology.STOCK_STORE,
                new StringSerializer(), self);
        environment.jersey().register(new OrderResource(keys, orders::streams, orderOwnership, stockOwnership,
                configuration.getReadYourWritesTimeout().toJavaDuration(), advertisedUrl));
        environment.jersey().register(new OrderRouting(keys, router, orderOwnership, stockOwnership));
    }

    /** Its own application too: notifications scale and fail apart from audit and orders. */
    private static void runNotifications(StreamProcessorsConfiguration configuration, Environment environment,
                                         SchemaRegistryClient registry, ApiKeyStore keys, QueryRouter router,
                                         HostInfo self, String advertisedUrl) {
        NotificationSettings notificationSettings = configuration.getNotifications();
        NotificationSerdes notificationSerdes = NotificationSerdes.on(registry);
        Map<String, Object> notificationsConfig = streamsConfig(configuration, notificationSettings.getApplicationId());
        notificationsConfig.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        ManagedStreams notifications = new ManagedStreams(NotificationTopology.COMPONENT,
                NotificationTopology.build(notificationSettings, notificationSerdes,
                        Templates.load(notificationSettings.getTemplatesDir())), notificationsConfig);
        environment.lifecycle().manage(notifications);
        environment.healthChecks().register(NotificationTopology.COMPONENT, notifications.healthCheck());
        if (notificationSettings.isWorkers()) {
            DeliveryWorkers workers = new DeliveryWorkers(notificationSettings, notificationSerdes,
                    configuration.getKafka().clientConfig(), self.host() + "-" + self.port());
            environment.lifecycle().manage(workers);
            environment.healthChecks().register(DELIVERY_CHECK, workers.healthCheck());
        }
        environment.jersey().register(new NotificationResource(keys, notifications::streams, router, self,
                advertisedUrl));
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

    /** A stopped delivery worker leaves the topologies and their queries serving; /healthcheck reports it. */
    @Override
    protected Set<String> checksNotNeededToServe(StreamProcessorsConfiguration configuration) {
        return Set.of(DELIVERY_CHECK);
    }
}
