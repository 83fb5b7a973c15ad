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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
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
 * dead-letter topic. The ingester assigns itself every partition; positions come from the store
 * itself, written in the same batch as the leaves, so Kafka's committed offsets play no part.
 *
 * <p>The polling thread decodes a poll, prepares and stages its leaves while the writer thread
 * writes the previous poll (see {@link Appender#appendAsync}). At most two polls are in flight:
 * one being written, one staged. Heads are signed on a fixed beat for every tenant and whenever a
 * tenant's tree grew by {@code headEvery} leaves.
 */
final class AuditIngester implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(AuditIngester.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration PARTITION_REFRESH = Duration.ofSeconds(30);
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
    private int partitions;

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

    private void run() {
        try {
            lastPollAt = clock.millis();
            partitions = assign(0);
            long nextPartitionCheck = clock.millis() + PARTITION_REFRESH.toMillis();
            long nextBeat = clock.millis() + headInterval.toMillis();
            long leavesSinceHeads = 0;
            Future<?> appending = CompletableFuture.completedFuture(null);
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                lastPollAt = clock.millis();
                if (!records.isEmpty()) {
                    Prepared prepared = prepareWithRetry(records);
                    Future<?> staged = log.appender().appendAsync(prepared.leaves(), prepared.positions());
                    // Staged while the previous poll is written; waiting for that one bounds memory to two polls.
                    awaitAppend(appending);
                    appending = staged;
                    leavesSinceHeads += prepared.leaves().size();
                }
                if (lastPollAt >= nextBeat) {
                    log.heads().signAll();
                    nextBeat = lastPollAt + headInterval.toMillis();
                    leavesSinceHeads = 0;
                } else if (leavesSinceHeads >= headEvery) {
                    log.heads().signGrown(headEvery);
                    leavesSinceHeads = 0;
                }
                if (lastPollAt >= nextPartitionCheck) {
                    partitions = assign(partitions);
                    nextPartitionCheck = lastPollAt + PARTITION_REFRESH.toMillis();
                }
            }
            awaitAppend(appending);
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("The audit ingester stopped: {}", e.toString(), e);
        } finally {
            try {
                log.heads().signAll();
            } catch (RuntimeException e) {
                LOG.warn("Final heads not signed: {}", e.getMessage());
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Assigns every partition of the topic, each at the position the store recorded; waits for the topic. */
    private int assign(int known) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        while (running && (infos == null || infos.isEmpty())) {
            LOG.info("Waiting for topic {} to exist", topic);
            sleep(RETRY_BACKOFF);
            infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        }
        if (infos == null || infos.size() == known) {
            return known;
        }
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        Map<TopicPartition, Long> positions = log.appender().nextOffsets(topic, partitions.size());
        consumer.assign(partitions);
        for (TopicPartition partition : partitions) {
            Long position = positions.get(partition);
            if (position == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, position);
            }
        }
        LOG.info("Consuming {} partition(s) of {} from the positions stored with the records", partitions.size(), topic);
        return partitions.size();
    }

    /** One poll, ready to append: its leaves and the positions after it. */
    private record Prepared(List<PreparedLeaf> leaves, Map<TopicPartition, Long> positions) {
    }

    /** Waits for the previous append; its failure stops the ingester before anything else is written. */
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

    /** The partition Kafka's default partitioner gives a record keyed by the tenant id. */
    private int partitionOf(String tenant) {
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
