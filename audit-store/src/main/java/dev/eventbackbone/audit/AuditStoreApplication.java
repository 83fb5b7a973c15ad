package dev.eventbackbone.audit;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.health.HealthCheck;
import dev.eventbackbone.audit.evidence.KeyHistory;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.evidence.SigningKey;
import dev.eventbackbone.audit.store.AuditLog;
import dev.eventbackbone.audit.store.AuditStoreException;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditSubjectKey;
import dev.eventbackbone.contracts.events.AuditTreeHead;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.contracts.serde.AvroSerializer;
import dev.eventbackbone.service.ApiErrorMapper;
import dev.eventbackbone.service.QueryRouter;
import dev.eventbackbone.service.ServiceApplication;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit store: consumes {@code audit.events} into per-tenant Merkle trees in RocksDB, signs tree
 * heads (published on {@code audit.heads}), and serves search, proofs, export and verification on
 * port 8083. Run alone with {@code java -cp ... dev.eventbackbone.audit.AuditStoreApplication server
 * audit-store.yml}, or embed it with an {@link AuditStoreConfiguration} built in code.
 */
public class AuditStoreApplication extends ServiceApplication<AuditStoreConfiguration> {

    private static final String INGESTER_CHECK = "ingester";
    private static final String RETENTION_CHECK = "retention";

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
        SigningKey signingKey = signingKey(configuration);
        KeyHistory history = KeyHistory.read(configuration.getKeyHistoryFile());
        SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(configuration.getRegistry().clientConfig());

        Map<String, Object> kafkaConfig = configuration.getKafka().clientConfig();
        Map<String, Object> producerConfig = new HashMap<>(kafkaConfig);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "audit-store-producer");
        Producer<byte[], byte[]> producer =
                new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        AvroSerializer<Object> serializer = new AvroSerializer<>(registry);
        AtomicLong headsNotPublished = new AtomicLong();
        // Publishing never holds up ingest: a missing topic or a slow broker would block send() on its metadata.
        ThreadPoolExecutor publishing = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(10_000), runnable -> new Thread(runnable, "audit-heads-publisher"),
                (dropped, executor) -> headsNotPublished.incrementAndGet());
        Consumer<SignedTreeHead> publisher = head -> publishing.execute(() -> publish(producer, serializer,
                configuration.getKafka().getHeadsTopic(), head, headsNotPublished));

        AuditLog log = AuditLog.open(configuration.getDataDirectory(), signingKey, history, clock,
                configuration.isSyncWrites(), publisher);
        ApiKeyStore keys = ApiKeyStore.open(configuration.getKeysFile());
        LOG.info("Audit store open in {}: {} tenant(s), heads signed by key {}; {} API key(s) from {}",
                configuration.getDataDirectory().toAbsolutePath(), log.appender().tenants().size(), signingKey.keyId(),
                keys.size(), configuration.getKeysFile().toAbsolutePath());

        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Positions come from the store; a position Kafka no longer has must stop the ingester, never skip ahead.
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        consumerConfig.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        consumerConfig.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
        String advertisedUrl = configuration.resolvedAdvertisedUrl();
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, configuration.getKafka().getGroupId());
        // The instance's own address in its client id: the group's assignment then tells every instance where a tenant is.
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, TenantOwnership.clientId(advertisedUrl));
        consumerConfig.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                CooperativeStickyAssignor.class.getName());
        consumerConfig.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        consumerConfig.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);

        AuditIngester ingester = new AuditIngester(
                new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                producer, new AvroDeserializer<>(registry, AuditRecord.class), serializer, log,
                configuration.getKafka().getTopic(), configuration.getKafka().getDeadLetterTopic(),
                configuration.getHeadInterval().toJavaDuration(), configuration.getHeadEvery(), clock);
        // Managed objects stop in reverse order: the ingester stops before the log closes and the producer after it.
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() throws InterruptedException {
                log.close();
                publishing.shutdown();
                publishing.awaitTermination(10, TimeUnit.SECONDS);
                producer.close(Duration.ofSeconds(10));
            }
        });
        environment.lifecycle().manage(ingester);
        Map<String, Object> keysConsumerConfig = new HashMap<>(kafkaConfig);
        keysConsumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        keysConsumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        keysConsumerConfig.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "audit-store-subject-keys");
        SubjectKeyFollower subjectKeys = new SubjectKeyFollower(
                new KafkaConsumer<>(keysConsumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                new AvroDeserializer<>(registry, AuditSubjectKey.class), log.keyring(),
                configuration.getKafka().getSubjectKeysTopic());
        environment.lifecycle().manage(subjectKeys);

        ScheduledExecutorService scheduler = environment.lifecycle().scheduledExecutorService("audit-store-jobs").build();
        keys.reloadEvery(scheduler, KEYS_RELOAD_INTERVAL);
        AtomicReference<String> retentionRefusal = new AtomicReference<>();
        long retentionMillis = configuration.getRetention().getCheckInterval().toMilliseconds();
        scheduler.scheduleWithFixedDelay(() -> applyRetention(log, configuration.getRetention(), clock,
                retentionRefusal), retentionMillis, retentionMillis, TimeUnit.MILLISECONDS);

        environment.jersey().register(new ApiErrorMapper("The API: GET /v1/audit/events, /v1/audit/events/{eventId},"
                + " /v1/audit/verify, /v1/audit/export, /v1/audit/heads, /v1/audit/heads/latest,"
                + " /v1/audit/proofs/inclusion, /v1/audit/proofs/consistency, /v1/audit/keys; POST /v1/audit/erasures.",
                "The audit store failed (%s); nothing was changed."));
        environment.jersey().register(new AuditResource(keys, log, configuration.getHeadInterval().toJavaDuration()));
        environment.jersey().register(new ErasureResource(keys, producer, serializer,
                configuration.getKafka().getErasuresTopic(), clock));
        Admin admin = Admin.create(kafkaConfig);
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                admin.close(Duration.ofSeconds(5));
            }
        });
        environment.jersey().register(new AuditRouting(keys, new QueryRouter(advertisedUrl, Duration.ofSeconds(30)),
                new TenantOwnership(admin, configuration.getKafka().getGroupId(), configuration.getKafka().getTopic(),
                        ingester, advertisedUrl, clock)));
        long stallMillis = configuration.getStallTimeout().toMilliseconds();
        environment.healthChecks().register(INGESTER_CHECK, new HealthCheck() {
            @Override
            protected Result check() {
                Throwable failure = ingester.failure();
                if (failure != null || !ingester.alive()) {
                    return Result.unhealthy("The ingester stopped: " + failure);
                }
                AuditStoreException writeFailure = log.appender().writeFailure();
                if (writeFailure != null) {
                    return Result.unhealthy("Appending stopped after a failed write: " + writeFailure.getMessage());
                }
                long sincePoll = clock.millis() - ingester.lastPollAt();
                if (sincePoll > stallMillis) {
                    return Result.unhealthy("The ingester has not polled Kafka for " + sincePoll + " ms: it is"
                            + " stalled, e.g. retrying records while the schema registry cannot be reached");
                }
                return Result.healthy("Last poll " + sincePoll + " ms ago");
            }
        });
        environment.healthChecks().register("subject-keys", new HealthCheck() {
            @Override
            protected Result check() {
                if (subjectKeys.failure() != null || !subjectKeys.alive()) {
                    return Result.unhealthy("Not following " + configuration.getKafka().getSubjectKeysTopic()
                            + ": " + subjectKeys.failure());
                }
                return Result.healthy();
            }
        });
        environment.metrics().register("audit-store.subject-keys-unreadable", (Gauge<Long>) subjectKeys::unreadable);
        environment.healthChecks().register(RETENTION_CHECK, new HealthCheck() {
            @Override
            protected Result check() {
                String refusal = retentionRefusal.get();
                return refusal == null ? Result.healthy() : Result.unhealthy(refusal);
            }
        });
        environment.metrics().register("audit-store.duplicates-skipped",
                (Gauge<Long>) () -> log.appender().duplicatesSkipped());
        environment.metrics().register("audit-store.tenants", (Gauge<Integer>) () -> log.appender().tenants().size());
        environment.metrics().register("audit-store.heads-not-published", (Gauge<Long>) headsNotPublished::get);
        environment.metrics().register("audit-store.retention-refused",
                (Gauge<Integer>) () -> retentionRefusal.get() == null ? 0 : 1);
    }

    /** The configured key; in dev mode a missing one is created, and the log says so. */
    private static SigningKey signingKey(AuditStoreConfiguration configuration) {
        Path file = configuration.getSigningKeyFile();
        if (!Files.exists(file) && configuration.isDevMode()) {
            SigningKey created = SigningKey.generate(file);
            LOG.warn("Dev mode: created the audit signing key {} in {}. A store whose heads anyone relies on needs a"
                    + " key made with `backbone audit keygen` and kept safe.", created.keyId(), file.toAbsolutePath());
            return created;
        }
        return SigningKey.load(file);
    }

    private static void publish(Producer<byte[], byte[]> producer, AvroSerializer<Object> serializer, String topic,
                                SignedTreeHead head, AtomicLong notPublished) {
        AuditTreeHead record = AuditTreeHead.newBuilder()
                .setTenantId(head.tenantId())
                .setTreeSize(head.treeSize())
                .setRootHash(head.rootHash())
                .setTimestamp(Instant.ofEpochMilli(head.timestamp()))
                .setKeyId(head.keyId())
                .setSignature(head.signature())
                .build();
        producer.send(new ProducerRecord<>(topic, head.tenantId().getBytes(StandardCharsets.UTF_8),
                serializer.serialize(topic, record)), (metadata, failure) -> {
                    if (failure != null) {
                        notPublished.incrementAndGet();
                        LOG.warn("Head of tenant {} at size {} not published on {}: {}; it is stored and served by the"
                                + " API", head.tenantId(), head.treeSize(), topic, failure.toString());
                    }
                });
    }

    private static void applyRetention(AuditLog log, AuditStoreConfiguration.RetentionSettings retention, Clock clock,
                                       AtomicReference<String> refusal) {
        String failure = null;
        for (String tenant : log.appender().tenants()) {
            Integer days = retention.daysFor(tenant);
            if (days == null) {
                continue;
            }
            try {
                long deleted = log.retention().deleteReceivedBefore(tenant,
                        clock.millis() - TimeUnit.DAYS.toMillis(days));
                if (deleted > 0) {
                    LOG.info("Retention: deleted the content of {} leaves of tenant {} older than {} days", deleted,
                            tenant, days);
                }
            } catch (RuntimeException e) {
                failure = e.getMessage();
                LOG.error("Retention for tenant {} failed: {}", tenant, e.getMessage());
            }
        }
        // Every run checks every tenant again: tampering is found again, and a fault that passed clears.
        refusal.set(failure);
    }

    /**
     * A stalled ingester or a refused retention run leaves the store answering from what it holds:
     * queries, proofs and exports go on.
     */
    @Override
    protected Set<String> checksNotNeededToServe(AuditStoreConfiguration configuration) {
        return Set.of(INGESTER_CHECK, RETENTION_CHECK);
    }
}
