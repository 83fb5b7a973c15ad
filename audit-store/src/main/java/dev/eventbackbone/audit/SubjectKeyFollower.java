package dev.eventbackbone.audit;

import dev.eventbackbone.audit.store.SubjectKeyring;
import dev.eventbackbone.contracts.events.AuditSubjectKey;
import io.dropwizard.lifecycle.Managed;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code audit.subject-keys} from its start into the store's keyring: every instance holds
 * every key, whichever tenants it owns, so a tenant that moves to it can be read at once. It uses
 * no consumer group; the compacted topic holds one record per live key, so reading it again on each
 * start costs what the keys weigh.
 */
final class SubjectKeyFollower implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(SubjectKeyFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final Consumer<byte[], byte[]> consumer;
    private final Deserializer<AuditSubjectKey> values;
    private final SubjectKeyring keyring;
    private final String topic;
    private final Thread thread;
    private final AtomicLong unreadable = new AtomicLong();
    private volatile boolean running = true;
    private volatile Throwable failure;

    SubjectKeyFollower(Consumer<byte[], byte[]> consumer, Deserializer<AuditSubjectKey> values, SubjectKeyring keyring,
                       String topic) {
        this.consumer = consumer;
        this.values = values;
        this.keyring = keyring;
        this.topic = topic;
        this.thread = new Thread(this::run, "audit-subject-keys");
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

    /** Null while it follows the topic; the reason it stopped otherwise. */
    Throwable failure() {
        return failure;
    }

    boolean alive() {
        return thread.isAlive();
    }

    /** Key records that could not be decoded: their leaves stay unreadable until the cause is fixed. */
    long unreadable() {
        return unreadable.get();
    }

    private void run() {
        try (consumer) {
            List<TopicPartition> partitions = awaitPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                boolean forgot = false;
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    forgot |= apply(record);
                }
                if (forgot) {
                    keyring.compact();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("Stopped following {}: sealed personal fields of new subjects cannot be read until a restart",
                    topic, e);
        }
    }

    private List<TopicPartition> awaitPartitions() {
        while (running) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
            LOG.info("Waiting for topic {} to exist", topic);
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        return List.of();
    }

    /** Applies one key record; true when it was a tombstone, whose key the keyring forgot. */
    private boolean apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            unreadable(record, "it has no key");
            return false;
        }
        String keyId = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            keyring.forget(keyId);
            return true;
        }
        AuditSubjectKey key;
        try {
            key = values.deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            unreadable(record, e.getMessage());
            return false;
        }
        ByteBuffer bytes = key.getKey().duplicate();
        byte[] secret = new byte[bytes.remaining()];
        bytes.get(secret);
        keyring.keep(keyId, key.getTenantId(), secret);
        return false;
    }

    private void unreadable(ConsumerRecord<byte[], byte[]> record, String why) {
        unreadable.incrementAndGet();
        LOG.error("Cannot read the subject key at {}-{}@{} ({}); records sealed with it show key_unavailable",
                record.topic(), record.partition(), record.offset(), why);
    }
}
