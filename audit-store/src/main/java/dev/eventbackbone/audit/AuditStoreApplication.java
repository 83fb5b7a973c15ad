package dev.eventbackbone.audit;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.health.HealthCheck;
import dev.eventbackbone.audit.chain.SigningKey;
import dev.eventbackbone.audit.store.AuditLog;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.contracts.serde.AvroSerializer;
import dev.eventbackbone.service.ApiErrorMapper;
import dev.eventbackbone.service.ServiceApplication;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit store: consumes {@code audit.events} into an append-only, hash-chained RocksDB log and
 * serves search, export, verification and signed checkpoints on port 8083. Run alone with
 * {@code java -cp ... dev.eventbackbone.audit.AuditStoreApplication server audit-store.yml}, or embed
 * it with an {@link AuditStoreConfiguration} built in code.
 */
public class AuditStoreApplication extends ServiceApplication<AuditStoreConfiguration> {

    private static final Logger LOG = LoggerFactory.getLogger(AuditStoreApplication.class);
    private static final Duration KEYS_RELOAD_INTERVAL = Duration.ofSeconds(2);

    public static void main(String[] args) throws Exception {
        AvroDeserializer.trustBackboneClasses();
        new AuditStoreApplication().run(args);
    }

    @Override
    public String getName() {
        return "audit-store";
    }

    @Override
    public void run(AuditStoreConfiguration configuration, Environment environment) {
        if (configuration.getServerFactory() instanceof AbstractServerFactory server) {
            server.setRegisterDefaultExceptionMappers(false);
        }
        Clock clock = Clock.systemUTC();
        SigningKey signingKey = SigningKey.loadOrCreate(configuration.getSigningKeyFile());
        AuditLog log = AuditLog.open(configuration.getDataDirectory(), signingKey, clock,
                configuration.getCheckpointEvery(), configuration.isSyncWrites());
        ApiKeyStore keys = ApiKeyStore.open(configuration.getKeysFile());
        LOG.info("Audit store open in {}: {} tenant(s); {} API key(s) from {}",
                configuration.getDataDirectory().toAbsolutePath(), log.tenants().size(), keys.size(),
                configuration.getKeysFile().toAbsolutePath());

        SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(configuration.getRegistry().clientConfig());

        Map<String, Object> kafkaConfig = configuration.getKafka().clientConfig();
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        consumerConfig.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
        consumerConfig.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "audit-store");
        Map<String, Object> producerConfig = new HashMap<>(kafkaConfig);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "audit-store-dead-letters");

        AuditIngester ingester = new AuditIngester(
                new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer()),
                new AvroDeserializer<>(registry, AuditRecord.class), new AvroSerializer<>(registry), log,
                configuration.getKafka().getTopic(), configuration.getKafka().getDeadLetterTopic(),
                configuration.getCheckpointInterval().toJavaDuration(), clock);
        // Managed objects stop in reverse order: the ingester stops before the log closes.
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                log.close();
            }
        });
        environment.lifecycle().manage(ingester);

        ScheduledExecutorService scheduler = environment.lifecycle().scheduledExecutorService("audit-store-jobs").build();
        keys.reloadEvery(scheduler, KEYS_RELOAD_INTERVAL);
        long retentionMillis = configuration.getRetention().getCheckInterval().toMilliseconds();
        scheduler.scheduleWithFixedDelay(() -> applyRetention(log, configuration.getRetention(), clock),
                retentionMillis, retentionMillis, TimeUnit.MILLISECONDS);

        environment.jersey().register(new ApiErrorMapper("The API: GET /v1/audit/events, /v1/audit/events/{eventId},"
                + " /v1/audit/verify, /v1/audit/export, /v1/audit/checkpoints, /v1/audit/public-key.",
                "The audit store failed (%s); nothing was changed."));
        environment.jersey().register(new AuditResource(keys, log));
        environment.healthChecks().register("ingester", new HealthCheck() {
            @Override
            protected Result check() {
                Throwable failure = ingester.failure();
                if (failure != null || !ingester.alive()) {
                    return Result.unhealthy("The ingester stopped: " + failure);
                }
                return Result.healthy("Last poll " + (clock.millis() - ingester.lastPollAt()) + " ms ago");
            }
        });
        environment.metrics().register("audit-store.duplicates-skipped", (Gauge<Long>) log::duplicatesSkipped);
        environment.metrics().register("audit-store.tenants", (Gauge<Integer>) () -> log.tenants().size());
    }

    private static void applyRetention(AuditLog log, AuditStoreConfiguration.RetentionSettings retention, Clock clock) {
        for (String tenant : log.tenants()) {
            Integer days = retention.daysFor(tenant);
            if (days == null) {
                continue;
            }
            try {
                long deleted = log.deleteReceivedBefore(tenant, clock.millis() - TimeUnit.DAYS.toMillis(days));
                if (deleted > 0) {
                    LOG.info("Retention: deleted {} record(s) of tenant {} older than {} days", deleted, tenant, days);
                }
            } catch (RuntimeException e) {
                LOG.error("Retention for tenant {} failed: {}", tenant, e.getMessage());
            }
        }
    }
}
