package dev.eventbackbone.registry;

import dev.eventbackbone.contracts.catalog.CleanupPolicy;
import dev.eventbackbone.contracts.catalog.ProvisioningReport;
import dev.eventbackbone.contracts.catalog.Retention;
import dev.eventbackbone.contracts.catalog.TopicMismatch;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.catalog.TopicProvisioningException;
import dev.eventbackbone.contracts.catalog.TopicSpec;
import dev.eventbackbone.contracts.config.KafkaConnection;
import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps schemas in the compacted, single-partition schemas topic and serves them from an in-memory
 * {@link SchemaIndex} that a reader thread keeps up to date, so several registry instances on one
 * topic converge.
 *
 * <p>Ids stay unique because every write happens under one lock, after reading the topic to its
 * end, and through a transactional producer whose {@code transactional.id} is derived from the
 * topic: another instance that writes in between fences this one, whose commit then fails, and
 * the registration is retried from a fresh catch-up. A write is answered only once the reader
 * has applied it (read-your-write).
 */
final class SchemaStore implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaStore.class);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final Duration HEALTH_CHECK_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_RETRY_BACKOFF = Duration.ofSeconds(1);
    private static final int WRITE_ATTEMPTS = 5;

    private final KafkaConnection kafka;
    private final String topic;
    private final TopicPartition partition;
    private final CompatibilityLevel defaultLevel;
    private final Duration timeout;
    private final SchemaIndex index = new SchemaIndex();
    private final ReadProgress progress = new ReadProgress();
    private final ReentrantLock writeLock = new ReentrantLock();

    private Admin admin;
    private KafkaProducer<byte[], byte[]> producer;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread reader;
    private volatile boolean running;
    private volatile RuntimeException readerFailure;

    SchemaStore(SchemaRegistryConfiguration configuration) {
        this.kafka = configuration.getKafka();
        this.topic = configuration.getSchemasTopic();
        this.partition = new TopicPartition(topic, 0);
        this.defaultLevel = configuration.getDefaultCompatibility();
        this.timeout = Duration.ofMillis(configuration.getStartupTimeout().toMilliseconds());
    }

    @Override
    public void start() throws InterruptedException {
        try {
            open();
        } catch (RuntimeException e) {
            // The lifecycle may not call stop() after a failed start; an embedding JVM must not keep our threads.
            stop();
            throw e;
        }
    }

    private void open() {
        admin = Admin.create(clientProperties(Map.of()));
        ensureTopic();
        producer = newProducer();
        consumer = new KafkaConsumer<>(clientProperties(Map.of(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")));
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        running = true;
        reader = new Thread(this::readLoop, "schema-store-reader-" + topic);
        reader.setDaemon(true);
        reader.start();
        catchUp();
        LOG.info("Schema store ready: topic '{}' read to offset {}, {} schema ids",
                topic, progress.position(), index.maxId());
    }

    /** Stops the reader and closes the Kafka clients; safe to call more than once. */
    @Override
    public synchronized void stop() throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (reader != null) {
            reader.join(timeout.toMillis());
            reader = null;
        }
        if (consumer != null) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            consumer = null;
        }
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
        if (admin != null) {
            admin.close(Duration.ZERO);
            admin = null;
        }
    }

    SchemaIndex index() {
        return index;
    }

    CompatibilityLevel globalCompatibility() {
        return index.globalLevel().orElse(defaultLevel);
    }

    CompatibilityLevel effectiveCompatibility(String subject) {
        return index.subjectLevel(subject).orElseGet(this::globalCompatibility);
    }

    /**
     * Registers a schema under a subject, or returns its id if the subject already has it.
     *
     * @return the schema's global id, the same under every subject that holds the same schema
     * @throws RegistryException 409 when the subject's compatibility level forbids the schema
     */
    int register(String subject, Schema schema) {
        String canonical = schema.toString();
        return serialized(() -> {
            catchUp();
            Optional<StoredVersion> existing = index.versions(subject, false).stream()
                    .filter(stored -> stored.schema().equals(canonical))
                    .findFirst();
            if (existing.isPresent()) {
                return existing.get().id();
            }
            rejectIncompatible(subject, schema);
            int id = index.idOf(canonical).orElse(index.maxId() + 1);
            StoredVersion stored = new StoredVersion(subject, index.maxVersion(subject) + 1, id, canonical, false);
            write(SchemaRecords.schemaKey(subject, stored.version()), SchemaRecords.schemaValue(stored));
            LOG.info("Registered schema id {} as version {} of subject '{}'", id, stored.version(), subject);
            return id;
        });
    }

    /** Sets the compatibility level of one subject, or the global one when {@code subject} is null. */
    void setCompatibility(String subjectOrNull, CompatibilityLevel level) {
        serialized(() -> {
            write(SchemaRecords.configKey(subjectOrNull), SchemaRecords.configValue(level));
            return level;
        });
    }

    /**
     * Deletes every live version of a subject: soft (marked deleted, ids keep resolving) or, for
     * versions already soft-deleted, {@code permanent} (removed from the topic).
     *
     * @return the deleted version numbers
     */
    List<Integer> deleteSubject(String subject, boolean permanent) {
        return serialized(() -> {
            catchUp();
            List<StoredVersion> live = index.versions(subject, false);
            List<StoredVersion> all = index.versions(subject, true);
            if (all.isEmpty()) {
                throw RegistryException.subjectNotFound(subject);
            }
            if (permanent && !live.isEmpty()) {
                throw RegistryException.notSoftDeletedFirst("Subject '" + subject + "'", 40405);
            }
            if (!permanent && live.isEmpty()) {
                throw RegistryException.alreadySoftDeleted("Subject '" + subject + "'", 40404);
            }
            List<StoredVersion> deleted = permanent ? all : live;
            write(deleted.stream().map(stored -> deletion(stored, permanent)).toList());
            return deleted.stream().map(StoredVersion::version).toList();
        });
    }

    /**
     * Deletes one version of a subject, soft or, once soft-deleted, {@code permanent}.
     *
     * @param version a number, {@code latest} or {@code -1}
     * @return the deleted version number
     */
    int deleteVersion(String subject, String version, boolean permanent) {
        return serialized(() -> {
            catchUp();
            boolean includeDeleted = permanent || !VersionSelector.isLatest(version);
            StoredVersion stored = VersionSelector.select(index, subject, version, includeDeleted);
            String what = "Subject '" + subject + "' version " + stored.version();
            if (permanent && !stored.deleted()) {
                throw RegistryException.notSoftDeletedFirst(what, 40407);
            }
            if (!permanent && stored.deleted()) {
                throw RegistryException.alreadySoftDeleted(what, 40406);
            }
            write(List.of(deletion(stored, permanent)));
            return stored.version();
        });
    }

    /** Removes a subject's own compatibility level, so the global one applies again. */
    Optional<CompatibilityLevel> deleteCompatibility(String subject) {
        return serialized(() -> {
            Optional<CompatibilityLevel> previous = index.subjectLevel(subject);
            if (previous.isPresent()) {
                write(SchemaRecords.configKey(subject), null);
            }
            return previous;
        });
    }

    private static KeyValue deletion(StoredVersion stored, boolean permanent) {
        byte[] key = SchemaRecords.schemaKey(stored.subject(), stored.version());
        return new KeyValue(key, permanent ? null : SchemaRecords.schemaValue(
                new StoredVersion(stored.subject(), stored.version(), stored.id(), stored.schema(), true)));
    }

    /** What is wrong with the store, or empty when it is caught up with a reachable Kafka. */
    Optional<String> problem() {
        RuntimeException failure = readerFailure;
        if (failure != null) {
            return Optional.of("the reader of topic '" + topic + "' failed: " + failure);
        }
        long end;
        try {
            end = endOffset(HEALTH_CHECK_TIMEOUT);
        } catch (RegistryException e) {
            return Optional.of("Kafka at " + kafka.getBootstrapServers() + " is unreachable: " + e.getMessage());
        }
        if (!progress.awaitAtLeast(end, HEALTH_CHECK_TIMEOUT)) {
            return Optional.of("the reader of topic '" + topic + "' is at offset " + progress.position()
                    + " but the topic ends at " + end);
        }
        return Optional.empty();
    }

    private void rejectIncompatible(String subject, Schema candidate) {
        CompatibilityLevel level = effectiveCompatibility(subject);
        List<StoredVersion> earlier = index.versions(subject, false);
        List<String> violations = level.violations(candidate,
                earlier.stream().map(StoredVersion::parsed).toList());
        if (!violations.isEmpty()) {
            throw RegistryException.incompatible("Schema being registered is incompatible with an earlier"
                    + " schema for subject \"" + subject + "\" (compatibility " + level + ", latest version "
                    + earlier.get(earlier.size() - 1).version() + "): " + String.join("; ", violations));
        }
    }

    private <T> T serialized(Write<T> write) {
        try {
            if (!writeLock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw RegistryException.timeout("Timed out after " + timeout.toMillis()
                        + " ms waiting for other registrations on topic '" + topic + "' to finish; retry.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryException.timeout("Interrupted while waiting to write to topic '" + topic + "'.");
        }
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return write.attempt();
                } catch (FencedByAnotherInstance e) {
                    if (attempt == WRITE_ATTEMPTS) {
                        throw RegistryException.storeError("Another registry instance kept writing to topic '"
                                + topic + "' during " + WRITE_ATTEMPTS + " attempts; retry.", e.getCause());
                    }
                    LOG.info("Another registry instance wrote to topic '{}'; catching up and retrying", topic);
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void write(byte[] key, byte[] value) {
        write(List.of(new KeyValue(key, value)));
    }

    /** Writes records in one transaction and returns once the reader has applied them. */
    private void write(List<KeyValue> records) {
        long offset = -1;
        try {
            producer.beginTransaction();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (KeyValue record : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, record.key(), record.value())));
            }
            producer.commitTransaction();
            for (Future<RecordMetadata> metadata : sent) {
                offset = Math.max(offset, metadata.get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset());
            }
        } catch (KafkaException | ExecutionException | TimeoutException e) {
            replaceProducer();
            if (isFencing(e)) {
                throw new FencedByAnotherInstance(e);
            }
            throw RegistryException.storeError("Could not write to schemas topic '" + topic + "' at "
                    + kafka.getBootstrapServers() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryException.storeError("Interrupted while writing to topic '" + topic + "'.", e);
        }
        if (!progress.awaitAtLeast(offset + 1, timeout)) {
            throw RegistryException.timeout("Wrote offset " + offset + " to topic '" + topic
                    + "' but the reader did not see it within " + timeout.toMillis() + " ms.");
        }
    }

    private static boolean isFencing(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private void replaceProducer() {
        producer.close(Duration.ZERO);
        producer = newProducer();
    }

    private KafkaProducer<byte[], byte[]> newProducer() {
        KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(clientProperties(Map.of(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "schema-registry-" + topic,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout.toMillis()))));
        created.initTransactions();
        return created;
    }

    private void catchUp() {
        long end = endOffset(timeout);
        if (!progress.awaitAtLeast(end, timeout)) {
            RuntimeException failure = readerFailure;
            throw RegistryException.timeout("Could not read schemas topic '" + topic + "' to its end offset "
                    + end + " within " + timeout.toMillis() + " ms (read up to " + progress.position() + ")"
                    + (failure == null ? "" : ": " + failure.getMessage()));
        }
    }

    private long endOffset(Duration wait) {
        var offsets = admin.listOffsets(Map.of(partition, OffsetSpec.latest()),
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED));
        return get(offsets.partitionResult(partition), wait, "read the end offset of topic '" + topic + "'")
                .offset();
    }

    /**
     * Creates the schemas topic through the catalog's provisioner (which waits until the broker
     * serves it) and refuses to start on a topic that could reorder or lose schemas.
     */
    private void ensureTopic() {
        ProvisioningReport report;
        try {
            report = TopicProvisioner.forCluster(admin).provision(List.of(schemasTopicSpec(topic)));
        } catch (TopicProvisioningException e) {
            throw RegistryException.storeError("Could not create schemas topic '" + topic + "': " + e.getMessage(), e);
        }
        report.notes().forEach(note -> LOG.info("Schemas topic: {}", note));
        List<TopicMismatch> fatal = report.mismatches().stream()
                .filter(mismatch -> mismatch.setting().equals(TopicMismatch.PARTITIONS)
                        || mismatch.setting().equals(TopicConfig.CLEANUP_POLICY_CONFIG))
                .toList();
        if (!fatal.isEmpty()) {
            throw new IllegalStateException("Schemas topic '" + topic + "' cannot hold the registry: " + fatal
                    + ". The registry needs one partition, so every instance reads schemas in one order, and"
                    + " compaction without deletion, so no schema ever expires. Point schemasTopic at such a topic.");
        }
        report.mismatches().stream().filter(mismatch -> !fatal.contains(mismatch))
                .forEach(mismatch -> LOG.warn("Schemas topic: {}", mismatch.message()));
    }

    /** The registry's own topic, described like a catalog topic; its values are JSON, not Avro. */
    static TopicSpec schemasTopicSpec(String topic) {
        return new TopicSpec(topic, "JSON {keytype, subject, version, magic}", Schema.create(Schema.Type.STRING),
                1, 3, Retention.infinite(), CleanupPolicy.COMPACT,
                Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2"), "schemas/registry",
                List.of("schemas/registry"), "every schema version and compatibility setting of the registry");
    }

    private <T> T get(KafkaFuture<T> future, Duration wait, String action) {
        try {
            return future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw RegistryException.storeError("Could not " + action + " on Kafka at "
                    + kafka.getBootstrapServers() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw RegistryException.timeout("Timed out after " + wait.toMillis() + " ms trying to " + action
                    + " on Kafka at " + kafka.getBootstrapServers() + "; check kafka.bootstrapServers"
                    + " and kafka.clientProperties.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryException.timeout("Interrupted while trying to " + action + ".");
        }
    }

    private Map<String, Object> clientProperties(Map<String, String> specific) {
        Map<String, Object> properties = kafka.clientConfig();
        properties.putAll(specific);
        return properties;
    }

    private void readLoop() {
        while (running) {
            try {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_INTERVAL)) {
                    index.apply(record.key(), record.value());
                }
                progress.advanceTo(consumer.position(partition));
                readerFailure = null;
            } catch (WakeupException e) {
                LOG.debug("Reader of topic '{}' woken up to stop", topic);
            } catch (RuntimeException e) {
                readerFailure = e;
                LOG.warn("Reading schemas topic '{}' failed; retrying in {}", topic, READ_RETRY_BACKOFF, e);
                LockSupport.parkNanos(READ_RETRY_BACKOFF.toNanos());
            }
        }
    }

    private record KeyValue(byte[] key, byte[] value) {
    }

    @FunctionalInterface
    private interface Write<T> {
        T attempt();
    }

    /** Another instance's producer took over the transactional id: catch up and try again. */
    private static final class FencedByAnotherInstance extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FencedByAnotherInstance(Throwable cause) {
            super(cause);
        }
    }

    /** How far the reader has applied the topic; writers and catch-ups wait on it. */
    private static final class ReadProgress {
        private long position;

        synchronized long position() {
            return position;
        }

        synchronized void advanceTo(long newPosition) {
            if (newPosition > position) {
                position = newPosition;
                notifyAll();
            }
        }

        synchronized boolean awaitAtLeast(long target, Duration wait) {
            long deadline = System.nanoTime() + wait.toNanos();
            try {
                while (position < target) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, remaining);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
