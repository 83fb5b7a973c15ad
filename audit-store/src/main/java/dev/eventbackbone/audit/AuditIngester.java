package dev.eventbackbone.audit;

import dev.eventbackbone.audit.store.AuditLog;
import dev.eventbackbone.audit.store.PreparedLeaf;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.contracts.registry.SchemaRegistryException;
import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.contracts.serde.AvroSerializer;
import io.dropwizard.lifecycle.Managed;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies {@code audit.events} into the {@link AuditLog}. A tenant's records are keyed by its id,
 * so they all live in one partition and the partition's offsets alone decide the order of the
 * tenant's leaves: every instance, and every rebuild from Kafka, builds the same trees. A record
 * found on another partition than its tenant's cannot be placed in that order and goes to the
 * dead-letter topic. The store instances share the partitions as one consumer group (see
 * {@link Rebalances}); positions come from the store itself, written in the same batch as the
 * leaves, so Kafka's committed offsets play no part.
 *
 * <p>The polling thread decodes a poll, prepares and stages its leaves while the writer thread
 * writes the previous poll (see {@link Appender#appendAsync}). At most two polls are in flight:
 * one being written, one staged. Heads are signed on a fixed beat for every tenant this instance
 * answers for, and whenever such a tenant's tree grew by {@code headEvery} leaves.
 */
final class AuditIngester implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(AuditIngester.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);
    /** What a tenant id may take in a store key; a longer one cannot be stored and is dead-lettered. */
    private static final int MAX_TENANT_BYTES = 0xFFFF;

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> deadLetters;
    private final AvroDeserializer<AuditRecord> deserializer;
    private final AvroSerializer<Object> serializer;
    private final AuditLog log;
    private final String topic;
    private final String deadLetterTopic;
    private final Duration headInterval;
    private final long headEvery;
    private final Clock clock;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile long lastPollAt;
    private volatile int partitions;
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Long> catchUpTo = new ConcurrentHashMap<>();
    /** Per partition, the offset up to which this instance has written the leaves. */
    private final Map<Integer, Long> durable = new ConcurrentHashMap<>();
    private Future<?> appending = CompletableFuture.completedFuture(null);
    private Map<TopicPartition, Long> appendingPositions = Map.of();

    AuditIngester(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> deadLetters,
                  AvroDeserializer<AuditRecord> deserializer, AvroSerializer<Object> serializer, AuditLog log,
                  String topic, String deadLetterTopic, Duration headInterval, long headEvery, Clock clock) {
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.deserializer = deserializer;
        this.serializer = serializer;
        this.log = log;
        this.topic = topic;
        this.deadLetterTopic = deadLetterTopic;
        this.headInterval = headInterval;
        this.headEvery = headEvery;
        this.clock = clock;
        this.thread = new Thread(this::run, "audit-ingester");
    }

    @Override
    public void start() {
        thread.start();
    }

    @Override
    public void stop() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }

    /** Null while the ingester runs; the reason it stopped otherwise. */
    Throwable failure() {
        return failure;
    }

    boolean alive() {
        return thread.isAlive();
    }

    /** When the ingester last polled Kafka; it does not poll while it retries records it cannot store yet. */
    long lastPollAt() {
        return lastPollAt;
    }

    /** How many partitions the topic has; 0 until the ingester has seen it. */
    int partitionCount() {
        return partitions;
    }

    /** True while this instance is assigned the partition. */
    boolean owns(int partition) {
        return owned.contains(partition);
    }

    /**
     * True once this instance has stored the partition up to where it stood when the partition was
     * assigned: before that its trees lag behind the log, and it must not answer for them.
     */
    boolean caughtUp(int partition) {
        Long target = catchUpTo.get(partition);
        return target != null && durable.getOrDefault(partition, -1L) >= target;
    }

    private void run() {
        try {
            lastPollAt = clock.millis();
            partitions = awaitTopic();
            consumer.subscribe(List.of(topic), new Rebalances());
            long nextBeat = clock.millis() + headInterval.toMillis();
            long leavesSinceHeads = 0;
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                lastPollAt = clock.millis();
                if (!records.isEmpty()) {
                    Prepared prepared = prepareWithRetry(records);
                    Future<?> staged = log.appender().appendAsync(prepared.leaves(), prepared.positions());
                    // Staged while the previous poll is written; waiting for that one bounds memory to two polls.
                    awaitAppended();
                    markReadPositionsDurable(records.partitions());
                    appending = staged;
                    appendingPositions = prepared.positions();
                    leavesSinceHeads += prepared.leaves().size();
                } else {
                    awaitAppended();
                    markReadPositionsDurable(Set.of());
                }
                if (lastPollAt >= nextBeat) {
                    log.heads().signAll(this::answersFor);
                    nextBeat = lastPollAt + headInterval.toMillis();
                    leavesSinceHeads = 0;
                } else if (leavesSinceHeads >= headEvery) {
                    log.heads().signGrown(headEvery, this::answersFor);
                    leavesSinceHeads = 0;
                }
            }
            awaitAppended();
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("The audit ingester stopped: {}", e.toString(), e);
        } finally {
            try {
                log.heads().signAll(this::answersFor);
            } catch (RuntimeException e) {
                LOG.warn("Final heads not signed: {}", e.getMessage());
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Heads are signed only for tenants whose partition this instance owns and has caught up with. */
    private boolean answersFor(String tenant) {
        int partition = partitionOf(tenant);
        return owns(partition) && caughtUp(partition);
    }

    /** Waits for the previous append; its positions are then durable. Its failure stops the ingester. */
    /**
     * Everything read of an owned partition is written once no staged poll holds its records: its
     * position, past any transaction markers, is then durable. Without this a quiet partition of an
     * exactly-once topic, whose end lies one past a commit marker, would count as caught up only
     * when every other partition went quiet too.
     */
    private void markReadPositionsDurable(Set<TopicPartition> stillStaged) {
        for (int partition : owned) {
            TopicPartition topicPartition = new TopicPartition(topic, partition);
            if (!stillStaged.contains(topicPartition)) {
                durable.merge(partition, consumer.position(topicPartition), Math::max);
            }
        }
    }

    private void awaitAppended() {
        awaitAppend(appending);
        appendingPositions.forEach((partition, offset) -> durable.merge(partition.partition(), offset, Math::max));
        appendingPositions = Map.of();
    }

    /** The topic's partition count, once it exists. */
    private int awaitTopic() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        while (running && (infos == null || infos.isEmpty())) {
            LOG.info("Waiting for topic {} to exist", topic);
            sleep(RETRY_BACKOFF);
            infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        }
        return infos == null ? 0 : infos.size();
    }

    /**
     * The store instances share the partitions as a consumer group. An assigned partition is read
     * from the position stored with its leaves (from the start when this instance never held it),
     * and answered for once read up to where it stood; a revoked one is given up only after its
     * last staged write, so the next owner's position and this instance's trees agree.
     */
    private final class Rebalances implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            awaitAppended();
            revoked.forEach(partition -> {
                owned.remove(partition.partition());
                catchUpTo.remove(partition.partition());
            });
            LOG.info("Gave up {} partition(s) of {}: {}", revoked.size(), topic, revoked);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            onPartitionsRevoked(lost);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            Map<TopicPartition, Long> stored = log.appender().nextOffsets(topic, partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(assigned);
            for (TopicPartition partition : assigned) {
                Long position = stored.get(partition);
                if (position == null) {
                    consumer.seek(partition, starts.get(partition));
                    durable.put(partition.partition(), starts.get(partition));
                } else {
                    consumer.seek(partition, position);
                    durable.put(partition.partition(), position);
                }
                catchUpTo.put(partition.partition(), ends.get(partition));
                owned.add(partition.partition());
            }
            LOG.info("Took {} partition(s) of {}: {}; reading each from the position stored with its leaves",
                    assigned.size(), topic, assigned);
        }
    }

    /** One poll, ready to append: its leaves and the positions after it. */
    private record Prepared(List<PreparedLeaf> leaves, Map<TopicPartition, Long> positions) {
    }

    /** Waits for an append; its failure stops the ingester before anything else is written. */
    private static void awaitAppend(Future<?> appending) {
        try {
            appending.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("Appending to the audit log failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while appending to the audit log", e);
        }
    }

    /**
     * Prepares one poll's records. A failure to decode because the registry is unreachable is
     * retried on the same records, so nothing is skipped; a record that can never be decoded goes
     * to the dead-letter topic before its offset is stored.
     */
    private Prepared prepareWithRetry(ConsumerRecords<byte[], byte[]> records) {
        while (true) {
            try {
                return prepare(records);
            } catch (RegistryUnavailable e) {
                if (!running) {
                    throw e;
                }
                LOG.warn("Schema registry unavailable ({}); retrying the same records", e.getMessage());
                sleep(RETRY_BACKOFF);
            }
        }
    }

    private Prepared prepare(ConsumerRecords<byte[], byte[]> records) {
        List<PreparedLeaf> prepared = new ArrayList<>(records.count());
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            PreparedLeaf leaf = leafOf(record);
            if (leaf != null) {
                prepared.add(leaf);
            }
            positions.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        }
        return new Prepared(prepared, positions);
    }

    /**
     * The leaf a record becomes: the record itself; or, when it cannot be stored, a rejection leaf in
     * its tenant's log after it went to the dead-letter topic; or nothing when not even its tenant
     * can be placed (then only the dead-letter topic has it).
     */
    private PreparedLeaf leafOf(ConsumerRecord<byte[], byte[]> record) {
        AuditRecord value;
        try {
            value = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (SerializationException e) {
            if (e.getCause() instanceof SchemaRegistryException registry) {
                if (registry.status() != 404) {
                    throw new RegistryUnavailable(registry.getMessage());
                }
                return reject(record, RejectionReason.UNKNOWN_SCHEMA, "its schema id is not in the schema registry",
                        e.getMessage(), e);
            }
            return reject(record, RejectionReason.UNDECODABLE, "it is not Confluent-wire-format Avro of an AuditRecord",
                    e.getMessage(), e);
        }
        if (value == null) {
            return reject(record, RejectionReason.INVALID_VALUE, "a null value (tombstone) is not an audit record",
                    "A null value (tombstone) is not an audit record.", null);
        }
        String tenant = value.getTenantId();
        if (tenant.isEmpty() || tenant.getBytes(StandardCharsets.UTF_8).length > MAX_TENANT_BYTES) {
            deadLetter(record, RejectionReason.INVALID_VALUE, "The tenant id is empty or longer than "
                    + MAX_TENANT_BYTES + " bytes.", null);
            return null;
        }
        int expected = partitionOf(tenant);
        if (expected != record.partition()) {
            deadLetter(record, RejectionReason.INVALID_VALUE, "A record of tenant " + tenant + " was on partition "
                    + record.partition() + " of " + record.topic() + ", but a tenant's records must all be on the"
                    + " partition of its id (" + expected + "): key them by tenant id, as the normalizer does."
                    + " Stored elsewhere, the order of its leaves would depend on how partitions interleave.", null);
            return null;
        }
        return PreparedLeaf.of(value);
    }

    private int partitionOf(String tenant) {
        return partitionOf(tenant, partitions);
    }

    /** The partition Kafka's default partitioner gives a record keyed by the tenant id. */
    static int partitionOf(String tenant, int partitions) {
        return Utils.toPositive(Utils.murmur2(tenant.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /**
     * Dead-letters the record and, when its tenant is known and it was on the tenant's partition,
     * returns a rejection leaf that keeps its place in the tenant's log. The leaf says why in fixed
     * words, so that every instance writes the same bytes.
     */
    private PreparedLeaf reject(ConsumerRecord<byte[], byte[]> record, RejectionReason reason, String leafReason,
                                String message, Exception e) {
        deadLetter(record, reason, message, e);
        String tenant = tenantOf(record);
        if (tenant == null || tenant.isEmpty() || tenant.getBytes(StandardCharsets.UTF_8).length > MAX_TENANT_BYTES
                || partitionOf(tenant) != record.partition()) {
            return null;
        }
        return PreparedLeaf.rejection(tenant, record.topic(), record.partition(), record.offset(), reason.name(),
                "The record could not be stored: " + leafReason + "; it is on " + deadLetterTopic + ".");
    }

    /** The tenant of a record that could not be decoded: its key, as the normalizer writes it, else its header. */
    private static String tenantOf(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() != null) {
            return new String(record.key(), StandardCharsets.UTF_8);
        }
        Header header = record.headers().lastHeader("tenant");
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Waits for the dead letter's acknowledgement: its offset is stored only once it is safe on Kafka. */
    private void deadLetter(ConsumerRecord<byte[], byte[]> record, RejectionReason reason, String message, Exception e) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            if (List.of("event-id", "tenant", "source", "traceparent").contains(header.key()) && header.value() != null) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        RejectedEvent rejection = RejectedEvent.newBuilder()
                .setRejectionId(UUID.randomUUID().toString())
                .setEventId(headers.get("event-id"))
                .setTenantId(headers.get("tenant"))
                .setStream("audit")
                .setReasonCode(reason)
                .setReason("The audit store could not read this audit.events record: " + message)
                .setRejectedAt(Instant.now(clock))
                .setRejectedBy("audit-store")
                .setErrorClass(e == null ? null : e.getClass().getName())
                .setOriginalValue(ByteBuffer.wrap(record.value() == null ? new byte[0] : record.value()))
                .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setOriginalContentType("application/vnd.confluent.avro")
                .setOriginalHeaders(headers)
                .setSourceTopic(record.topic())
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .build();
        try {
            deadLetters.send(new ProducerRecord<>(deadLetterTopic, record.key(),
                    serializer.serialize(deadLetterTopic, rejection))).get(30, TimeUnit.SECONDS);
            LOG.warn("Record {}-{}@{} sent to {}: {}", record.topic(), record.partition(), record.offset(),
                    deadLetterTopic, message);
        } catch (ExecutionException | TimeoutException failed) {
            throw new IllegalStateException("Could not dead-letter " + record.topic() + "-" + record.partition()
                    + "@" + record.offset() + "; stopping rather than skipping it", failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while dead-lettering", interrupted);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class RegistryUnavailable extends RuntimeException {
        RegistryUnavailable(String message) {
            super(message);
        }
    }
}
