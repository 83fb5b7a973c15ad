package dev.eventbackbone.ingest;

import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.contracts.serde.AvroSerializer;
import dev.eventbackbone.ingest.spool.Spool;
import dev.eventbackbone.service.ApiErrorMapper;
import dev.eventbackbone.service.ServiceApplication;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest gateway: authenticated, schema-validating HTTP ingest to Kafka. Run alone with
 * {@code java -cp ... dev.eventbackbone.ingest.IngestGatewayApplication server gateway.yml}, or embed
 * it by running it with an {@link IngestGatewayConfiguration} built in code; it keeps no static
 * state, so several gateways may share a JVM.
 */
public class IngestGatewayApplication extends ServiceApplication<IngestGatewayConfiguration> {

    private static final String KAFKA_CHECK = "kafka";
    private static final String REGISTRY_CHECK = "schema-registry";

    private static final Logger LOG = LoggerFactory.getLogger(IngestGatewayApplication.class);
    private static final Duration KEYS_RELOAD_INTERVAL = Duration.ofSeconds(2);

    public static void main(String[] args) throws Exception {
        AvroDeserializer.trustBackboneClasses();
        new IngestGatewayApplication().run(args);
    }

    @Override
    public String getName() {
        return "ingest-gateway";
    }

    @Override
    public void run(IngestGatewayConfiguration configuration, Environment environment) throws Exception {
        if (configuration.getServerFactory() instanceof AbstractServerFactory server) {
            // One error shape, {error, message, details}, for every answer.
            server.setRegisterDefaultExceptionMappers(false);
        }
        GatewayMetrics metrics = new GatewayMetrics(environment.metrics());
        ApiKeyStore keys = ApiKeyStore.open(configuration.getKeysFile());
        LOG.info("{} API key(s) loaded from {}", keys.size(), configuration.getKeysFile().toAbsolutePath());

        SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(registryClientConfig(configuration));
        AvroSerializer<Object> serializer = new AvroSerializer<>(registry);

        Map<String, Object> kafkaConfig = kafkaClientConfig(configuration);
        Producer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(configuration, kafkaConfig),
                new ByteArraySerializer(), new ByteArraySerializer());
        Admin admin = Admin.create(kafkaConfig);

        Spool spool = null;
        if (configuration.getSpool().isEnabled()) {
            spool = Spool.open(configuration.getSpool().getDirectory(), configuration.getSpool().getMaxSize().toBytes());
            Spool opened = spool;
            environment.lifecycle().manage(new Managed() {
                @Override
                public void stop() {
                    opened.close();
                }
            });
        }
        Duration deliveryTimeout = Duration.ofMillis(Long.parseLong(String.valueOf(
                producerConfig(configuration, kafkaConfig).get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG))));
        EventPublisher publisher = new EventPublisher(producer, spool,
                configuration.getLimits().getMaxInFlight().toBytes(), deliveryTimeout, metrics);
        environment.lifecycle().manage(publisher);
        environment.lifecycle().manage(new Managed() {
            @Override
            public void start() {
                registerSchemas(registry);
            }

            @Override
            public void stop() {
                admin.close(Duration.ofSeconds(5));
            }
        });

        ScheduledExecutorService reloader = environment.lifecycle().scheduledExecutorService("api-keys-reload").build();
        keys.reloadEvery(reloader, KEYS_RELOAD_INTERVAL);

        var jersey = environment.jersey();
        jersey.register(new ApiErrorMapper("The API: POST /v1/events/{stream}, POST /v1/events/{stream}/batch,"
                + " GET /v1/streams, GET /openapi.json.", "The gateway failed (%s); nothing was stored."));
        jersey.register(new EventsResource(keys, environment.getObjectMapper(), new EventIntake(serializer), publisher,
                new TenantRateLimits(configuration.getRateLimits()),
                new IdempotencyCache(configuration.getIdempotency().getRetention().toJavaDuration(),
                        configuration.getIdempotency().getMaxSize().toBytes()),
                new RejectedEvents(producer, serializer), metrics, configuration.getLimits()));
        jersey.register(new MetadataResource(keys, environment.getObjectMapper()));

        environment.healthChecks().register(KAFKA_CHECK, new KafkaHealthCheck(admin,
                configuration.getKafka().getHealthCheckTimeout().toJavaDuration(), publisher));
        environment.healthChecks().register(REGISTRY_CHECK, new RegistryHealthCheck(registry));
        environment.admin().addServlet("prometheus", new PrometheusMetricsServlet(metrics.registry()))
                .addMapping("/prometheus");
    }

    /**
     * Registers (or finds) each stream's schema before the first request, filling the client's cache,
     * so requests do not wait for the registry and a gateway restarted during a Kafka outage can spool.
     */
    private static void registerSchemas(SchemaRegistryClient registry) {
        for (IngestStream stream : IngestStream.values()) {
            try {
                registry.register(stream.topic() + "-value", stream.schema());
            } catch (RuntimeException e) {
                LOG.warn("Schema of stream {} not registered yet ({}); the first event will retry",
                        stream.streamName(), e.getMessage());
            }
        }
    }

    private static Map<String, Object> registryClientConfig(IngestGatewayConfiguration configuration) {
        return configuration.getRegistry().clientConfig();
    }

    /** The producer settings the gateway runs with unless its configuration overrides them; for benchmarks' baselines. */
    public static Map<String, Object> producerDefaults() {
        return EventPublisher.producerDefaults();
    }

    private static Map<String, Object> kafkaClientConfig(IngestGatewayConfiguration configuration) {
        return configuration.getKafka().clientConfig();
    }

    private static Map<String, Object> producerConfig(IngestGatewayConfiguration configuration,
                                                      Map<String, Object> kafkaConfig) {
        Map<String, Object> config = new HashMap<>(EventPublisher.producerDefaults());
        config.putAll(kafkaConfig);
        config.putAll(configuration.getKafka().getProducerProperties());
        // The 202 promises acks=all from an idempotent producer; no setting may weaken that.
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "ingest-gateway");
        return config;
    }

    /**
     * Ready without the registry: it serves every stream whose schema id it holds, and the registry is
     * the same for every pod, so taking them all out of service would help nobody. With its spool on
     * it also takes events while Kafka is away.
     */
    @Override
    protected Set<String> checksNotNeededToServe(IngestGatewayConfiguration configuration) {
        return configuration.getSpool().isEnabled() ? Set.of(KAFKA_CHECK, REGISTRY_CHECK) : Set.of(REGISTRY_CHECK);
    }
}
