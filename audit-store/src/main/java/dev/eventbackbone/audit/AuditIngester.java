package dev.eventbackbone.audit;

import dev.eventbackbone.audit.store.AuditLog;
import dev.eventbackbone.audit.store.PreparedRecord;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies {@code audit.events} into the {@link AuditLog}. It assigns itself every partition (no
 * consumer group): each store instance is a complete replica, because a tenant's chain spans all
 * partitions. Positions come from the store itself, written in the same batch as the records, so
 * Kafka's committed offsets play no part in correctness.
 *
 * <p>The polling thread decodes a poll, prepares and stages its records while the log's writer
 * thread writes the previous poll (see {@link AuditLog#appendAsync}). At most two polls are
 * in flight: one being written, one staged.
 */
final class AuditIngester implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(AuditIngester.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration PARTITION_REFRESH = Duration.ofSeconds(30);
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> deadLetters;
    private final AvroDeserializer<AuditRecord> deserializer;
    private final AvroSerializer<Object> serializer;
    private final AuditLog log;
    private final String topic;
    private final String deadLetterTopic;
    private final Duration checkpointInterval;
    private final Clock clock;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile long lastPollAt;

    AuditIngester(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> deadLetters,
                  AvroDeserializer<AuditRecord> deserializer, AvroSerializer<Object> serializer, AuditLog log,
                  String topic, String deadLetterTopic, Duration checkpointInterval, Clock clock) {
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.deserializer = deserializer;
        this.serializer = serializer;
        this.log = log;
        this.topic = topic;
        this.deadLetterTopic = deadLetterTopic;
        this.checkpointInterval = checkpointInterval;
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

    long lastPollAt() {
        return lastPollAt;
    }

    private void run() {
        try {
            int partitions = assign(0);
            long nextPartitionCheck = clock.millis() + PARTITION_REFRESH.toMillis();
            long nextCheckpoint = clock.millis() + checkpointInterval.toMillis();
            Future<?> appending = CompletableFuture.completedFuture(null);
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                lastPollAt = clock.millis();
                if (!records.isEmpty()) {
                    Prepared prepared = prepareWithRetry(records);
                    Future<?> staged = log.appendAsync(prepared.records(), prepared.positions());
                    // Staged while the previous poll is written; waiting for that one bounds memory to two polls.
                    awaitAppend(appending);
                    appending = staged;
                }
                if (lastPollAt >= nextCheckpoint) {
                    log.checkpointHeads();
                    nextCheckpoint = lastPollAt + checkpointInterval.toMillis();
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
                log.checkpointHeads();
            } catch (RuntimeException e) {
                LOG.warn("Final checkpoint not written: {}", e.getMessage());
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
        Map<TopicPartition, Long> positions = log.nextOffsets(topic, partitions.size());
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

    /** One poll, ready to append: its decodable records and the positions after it. */
    private record Prepared(List<PreparedRecord> records, Map<TopicPartition, Long> positions) {
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
        List<PreparedRecord> prepared = new ArrayList<>(records.count());
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            AuditRecord value = decode(record);
            if (value != null) {
                prepared.add(PreparedRecord.of(value));
            }
            positions.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        }
        return new Prepared(prepared, positions);
    }

    private AuditRecord decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            AuditRecord value = deserializer.deserialize(record.topic(), record.headers(), record.value());
            if (value == null) {
                deadLetter(record, RejectionReason.INVALID_VALUE, "A null value (tombstone) is not an audit record.", null);
            }
            return value;
        } catch (SerializationException e) {
            if (e.getCause() instanceof SchemaRegistryException registry) {
                if (registry.status() != 404) {
                    throw new RegistryUnavailable(registry.getMessage());
                }
                deadLetter(record, RejectionReason.UNKNOWN_SCHEMA, e.getMessage(), e);
            } else {
                deadLetter(record, RejectionReason.UNDECODABLE, e.getMessage(), e);
            }
            return null;
        }
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
