package dev.eventbackbone.analytics;

import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.service.ApiErrorMapper;
import dev.eventbackbone.service.ManagedStreams;
import dev.eventbackbone.service.QueryRouter;
import dev.eventbackbone.service.ServiceApplication;
import dev.eventbackbone.service.StreamsOwnership;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Environment;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The analytics rollups service: the rollup topology as its own exactly-once Kafka Streams
 * application, and the query API over its window stores. Run alone with
 * {@code ... AnalyticsApplication server analytics-rollups.yml}, or embedded by {@code backbone up}.
 */
public class AnalyticsApplication extends ServiceApplication<AnalyticsConfiguration> {

    private static final Duration KEYS_RELOAD_INTERVAL = Duration.ofSeconds(2);
    private static final Duration ROUTED_TIMEOUT = Duration.ofSeconds(30);
    private static final int DEFAULT_COMMIT_INTERVAL_MS = 500;

    public static void main(String[] args) throws Exception {
        AvroDeserializer.trustBackboneClasses();
        new AnalyticsApplication().run(args);
    }

    @Override
    public String getName() {
        return "analytics-rollups";
    }

    @Override
    public void run(AnalyticsConfiguration configuration, Environment environment) {
        if (configuration.getServerFactory() instanceof AbstractServerFactory server) {
            server.setRegisterDefaultExceptionMappers(false);
        }
        SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(configuration.getRegistry().clientConfig());
        String advertisedUrl = configuration.resolvedAdvertisedUrl();
        URI advertised = URI.create(advertisedUrl);
        HostInfo self = new HostInfo(advertised.getHost(), advertised.getPort());
        ManagedStreams rollups = new ManagedStreams(RollupTopology.COMPONENT,
                RollupTopology.build(configuration.getRollups(), AnalyticsSerdes.on(registry)),
                streamsConfig(configuration, self));
        environment.lifecycle().manage(rollups);
        environment.healthChecks().register(RollupTopology.COMPONENT, rollups.healthCheck());

        ApiKeyStore keys = ApiKeyStore.open(configuration.getKeysFile());
        keys.reloadEvery(environment.lifecycle().scheduledExecutorService("analytics-keys").build(),
                KEYS_RELOAD_INTERVAL);
        StreamsOwnership ownership = new StreamsOwnership(rollups::streams, RollupTopology.MINUTE_STORE,
                new StringSerializer(), self);
        environment.jersey().register(new ApiErrorMapper("The API: GET /v1/analytics/series, /v1/analytics/summary,"
                + " /v1/analytics/top, /v1/analytics/top-values, /v1/analytics/names, /openapi.json; the dashboard on /.", "The analytics service failed (%s); nothing was changed."));
        QueryRouter router = new QueryRouter(advertisedUrl, ROUTED_TIMEOUT);
        environment.jersey().register(new AnalyticsResource(keys, rollups::streams, ownership, advertisedUrl,
                Clock.systemUTC(), router, () -> rollups.streams().metadataForAllStreamsClients().stream()
                        .map(StreamsMetadata::hostInfo).filter(host -> !host.equals(self))
                        .map(host -> URI.create("http://" + host.host() + ":" + host.port())).toList()));
        environment.jersey().register(new DashboardResource());
        environment.jersey().register(new AnalyticsRouting(keys, router, ownership));
    }

    /** Client settings first, then Streams tuning, then what the service must have its own way. */
    static Map<String, Object> streamsConfig(AnalyticsConfiguration configuration, HostInfo self) {
        Map<String, Object> config = configuration.getKafka().clientConfig();
        config.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        config.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, configuration.getStandbyReplicas());
        // A commit writes every changed window's sketches. An event reaches the rollups a queries read after
        // up to two commits (its part's, then the rollup's): every 500 ms rather than every 100 ms (the
        // exactly-once default) saves most of those writes and keeps a dashboard within about 1.25 s.
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, DEFAULT_COMMIT_INTERVAL_MS);
        // A reading task reads three independent sources and windows by event time, which it tracks itself:
        // waiting for one source to have data before taking another's buys no order worth having.
        config.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        config.putAll(configuration.getKafka().getStreamsProperties());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, configuration.getRollups().getApplicationId());
        config.put(StreamsConfig.STATE_DIR_CONFIG, configuration.getStateDir().toAbsolutePath().toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Every instance's address in the group's metadata: a query for a key held elsewhere is forwarded there.
        config.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        return config;
    }
}
