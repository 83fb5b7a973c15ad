package dev.eventbackbone.processors.notifications;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.DeliveryResult;
import dev.eventbackbone.contracts.events.DeliveryStatus;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationMessage;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.service.DeadLetters;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one channel's messages (docs/notifications.md, "Delivery"): a plain consumer of
 * {@code notifications.<channel>} whose results, retries, dead letters and consumed offsets are
 * committed in one Kafka transaction, so every attempt has exactly one result even through a
 * crash (a message sent but not yet committed is sent again with the same idempotency key). It
 * paces itself to its partitions' share of the provider's rate, fails over to the next provider
 * on a transient failure, and schedules retries on {@code notifications.retry} with full jitter
 * below the schedule's wait, never sooner than a {@code Retry-After}.
 */
final class DeliveryWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** A transaction stays short even while a provider is slow: committed after this long. */
    private static final Duration MAX_TRANSACTION = Duration.ofSeconds(2);
    private static final String STREAM = "notifications";
    private static final Duration RESTART_PAUSE = Duration.ofSeconds(1);
    private static final int MAX_POLL_RECORDS = 10;
    private static final Duration MAX_POLL_INTERVAL = Duration.ofMinutes(15);

    private final NotificationChannel channel;
    private final List<ChannelProvider> providers;
    private final NotificationSettings settings;
    private final NotificationSerdes serdes;
    private final Map<String, Object> clientConfig;
    private final String groupId;
    private final String transactionalId;
    private final Clock clock;
    private final int partitions;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running = true;
    private volatile Bucket pace;

    DeliveryWorker(NotificationChannel channel, List<ChannelProvider> providers, NotificationSettings settings,
                   NotificationSerdes serdes, Map<String, Object> clientConfig, String instanceId, Clock clock) {
        this.channel = channel;
        this.providers = providers;
        this.settings = settings;
        this.serdes = serdes;
        this.clientConfig = clientConfig;
        this.groupId = settings.getApplicationId() + "-delivery-" + channel.name().toLowerCase();
        // Stable across restarts of this instance: a new start aborts what the killed one left open.
        this.transactionalId = groupId + "-" + instanceId;
        this.clock = clock;
        this.partitions = NotificationTopology.partitions();
        this.pace = paceFor(0);
    }

    String component() {
        return channel.name().toLowerCase() + "-delivery";
    }

    /**
     * Delivers until stopped. A failure (a fenced producer, the broker gone) ends the session:
     * its transaction is aborted, and a new session reads the uncommitted messages again.
     */
    @Override
    public void run() {
        while (running) {
            try {
                session();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("{} failed; what it had not committed is delivered again", component(), e);
                pauseBeforeRestart();
            }
        }
    }

    private void pauseBeforeRestart() {
        try {
            Thread.sleep(RESTART_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void session() throws InterruptedException {
        Map<String, Object> consumerConfig = new HashMap<>(clientConfig);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Few records per poll, and a long poll interval: a poll's work (each attempt up to a provider's
        // timeout, and the pacing) must end before the group gives the partitions to another worker.
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        consumerConfig.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) MAX_POLL_INTERVAL.toMillis());
        Map<String, Object> producerConfig = new HashMap<>(clientConfig);
        producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            this.consumer = consumer;
            producer.initTransactions();
            consumer.subscribe(List.of(TopicCatalog.channelTopic(channel)), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                    pace = paceFor(consumer.assignment().size());
                }
            });
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                deliver(records, consumer, producer);
            }
        } catch (WakeupException stopping) {
            LOG.info("{} stopped", component());
        } finally {
            providers.forEach(ChannelProvider::close);
        }
    }

    private void deliver(ConsumerRecords<String, byte[]> records, KafkaConsumer<String, byte[]> consumer,
                         KafkaProducer<byte[], byte[]> producer) throws InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        long transactionStart = 0;
        for (ConsumerRecord<String, byte[]> record : records) {
            if (offsets.isEmpty()) {
                producer.beginTransaction();
                transactionStart = System.nanoTime();
            }
            deliverOne(record, producer);
            offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
            if (System.nanoTime() - transactionStart > MAX_TRANSACTION.toNanos()) {
                commit(offsets, consumer, producer);
            }
        }
        if (!offsets.isEmpty()) {
            commit(offsets, consumer, producer);
        }
    }

    private static void commit(Map<TopicPartition, OffsetAndMetadata> offsets, KafkaConsumer<String, byte[]> consumer,
                               KafkaProducer<byte[], byte[]> producer) {
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
        offsets.clear();
    }

    private void deliverOne(ConsumerRecord<String, byte[]> record, KafkaProducer<byte[], byte[]> producer)
            throws InterruptedException {
        NotificationMessage message;
        try {
            message = serdes.messages().deserializer().deserialize(record.topic(), record.value());
            if (message == null) {
                throw new SerializationException("The record has no value; " + record.topic()
                        + " takes NotificationMessage records.");
            }
        } catch (SerializationException e) {
            deadLetter(producer, record, null, null, DeadLetters.reasonOf(e), e.getMessage(), null, e);
            return;
        }
        String key = IdempotencyKeys.of(message);
        if (providers.isEmpty()) {
            result(producer, message, DeliveryStatus.FAILED, null, null, "no_provider", "No "
                    + channel.name().toLowerCase() + " provider is configured (notifications."
                    + channel.name().toLowerCase() + ").", null, clock.millis());
            return;
        }
        pace.asBlocking().consume(1);
        // After the pacing wait: a message must not go out after it expired.
        long now = clock.millis();
        if (message.getExpiresAt() != null && !message.getExpiresAt().isAfter(Instant.ofEpochMilli(now))) {
            giveUp(producer, record, message, RejectionReason.EXPIRED, "expired", "Message " + message.getMessageId()
                    + " expired at " + message.getExpiresAt() + " before attempt " + message.getAttempt() + ".", now);
            return;
        }
        ChannelProvider.Outcome outcome = null;
        ChannelProvider used = null;
        for (ChannelProvider provider : providers) {
            used = provider;
            outcome = provider.send(message, key);
            if (outcome.kind() != ChannelProvider.Kind.TRANSIENT) {
                break;
            }
            LOG.debug("{} failed transiently for {}: {}", provider.name(), message.getMessageId(), outcome.error());
        }
        now = clock.millis();
        switch (outcome.kind()) {
            case DELIVERED -> result(producer, message, DeliveryStatus.DELIVERED, used.name(),
                    outcome.providerMessageId(), null, null, null, now);
            case PERMANENT -> result(producer, message, DeliveryStatus.FAILED, used.name(), null, outcome.errorCode(),
                    outcome.error(), null, now);
            case TRANSIENT -> retryOrGiveUp(producer, record, message, used, outcome, now);
        }
    }

    private void retryOrGiveUp(KafkaProducer<byte[], byte[]> producer, ConsumerRecord<String, byte[]> record,
                               NotificationMessage message, ChannelProvider provider, ChannelProvider.Outcome outcome,
                               long now) {
        List<io.dropwizard.util.Duration> schedule = settings.getRetrySchedule();
        if (message.getAttempt() > schedule.size()) {
            giveUp(producer, record, message, RejectionReason.DELIVERY_EXHAUSTED, outcome.errorCode(),
                    "Attempt " + message.getAttempt() + " of " + (schedule.size() + 1) + " failed ("
                            + outcome.error() + "); no attempts left.", now);
            return;
        }
        long wait = backoff(schedule.get(message.getAttempt() - 1).toMilliseconds(), outcome.retryAfter());
        long next = now + wait;
        if (message.getExpiresAt() != null && next >= message.getExpiresAt().toEpochMilli()) {
            giveUp(producer, record, message, RejectionReason.EXPIRED, outcome.errorCode(), "Attempt "
                    + message.getAttempt() + " failed (" + outcome.error() + ") and the next would come after the"
                    + " message expires at " + message.getExpiresAt() + ".", now);
            return;
        }
        result(producer, message, DeliveryStatus.RETRYING, provider.name(), null, outcome.errorCode(),
                outcome.error(), next, now);
        NotificationMessage retry = NotificationMessage.newBuilder(message).setAttempt(message.getAttempt() + 1)
                .setDueAt(Instant.ofEpochMilli(next)).build();
        producer.send(new ProducerRecord<>(TopicCatalog.NOTIFICATIONS_RETRY, keyOf(message),
                serdes.messages().serializer().serialize(TopicCatalog.NOTIFICATIONS_RETRY, retry)));
    }

    /** Full jitter below the schedule's wait, but never sooner than the receiver asked. */
    static long backoff(long scheduled, Duration retryAfter) {
        long jittered = ThreadLocalRandom.current().nextLong(scheduled + 1);
        return retryAfter == null ? jittered : Math.max(jittered, retryAfter.toMillis());
    }

    private void giveUp(KafkaProducer<byte[], byte[]> producer, ConsumerRecord<String, byte[]> record,
                        NotificationMessage message, RejectionReason reason, String errorCode, String why, long now) {
        result(producer, message, DeliveryStatus.DEAD_LETTERED, null, null, errorCode, why, null, now);
        RejectedEvent rejection = rejectionOf(record, message.getRequestEventId(), message.getTenantId(), reason,
                why, null, null);
        rejection.setAttempts(message.getAttempt());
        producer.send(new ProducerRecord<>(TopicCatalog.NOTIFICATIONS_DLQ, keyOf(message),
                serdes.rejections().serializer().serialize(TopicCatalog.NOTIFICATIONS_DLQ, rejection)));
    }

    private void deadLetter(KafkaProducer<byte[], byte[]> producer, ConsumerRecord<String, byte[]> record,
                            String eventId, String tenantId, RejectionReason reason, String why, String field,
                            Throwable error) {
        LOG.warn("{} dead-lettered a record: {}", component(), why);
        producer.send(new ProducerRecord<>(TopicCatalog.NOTIFICATIONS_DLQ,
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
                serdes.rejections().serializer().serialize(TopicCatalog.NOTIFICATIONS_DLQ,
                        rejectionOf(record, eventId, tenantId, reason, why, field, error))));
    }

    private RejectedEvent rejectionOf(ConsumerRecord<String, byte[]> record, String eventId, String tenantId,
                                      RejectionReason reason, String why, String field, Throwable error) {
        var original = new Record<>(
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value(),
                record.timestamp(), new RecordHeaders(record.headers().toArray()));
        RejectedEvent rejection = DeadLetters.rejection(original, null, eventId, tenantId, STREAM, component(), reason,
                why, field, error, clock.millis());
        rejection.setSourceTopic(record.topic());
        rejection.setSourcePartition(record.partition());
        rejection.setSourceOffset(record.offset());
        return rejection;
    }

    private void result(KafkaProducer<byte[], byte[]> producer, NotificationMessage message, DeliveryStatus status,
                        String provider, String providerMessageId, String errorCode, String error, Long nextAttemptAt,
                        long now) {
        DeliveryResult result = DeliveryResult.newBuilder().setMessageId(message.getMessageId())
                .setRequestEventId(message.getRequestEventId()).setTenantId(message.getTenantId())
                .setRecipientId(message.getRecipientId()).setChannel(message.getChannel()).setStatus(status)
                .setAttempt(message.getAttempt()).setProvider(provider).setProviderMessageId(providerMessageId)
                .setErrorCode(errorCode).setError(error)
                .setNextAttemptAt(nextAttemptAt == null ? null : Instant.ofEpochMilli(nextAttemptAt))
                .setCompletedAt(Instant.ofEpochMilli(now)).setTraceparent(message.getTraceparent()).build();
        producer.send(new ProducerRecord<>(TopicCatalog.NOTIFICATIONS_RESULTS, keyOf(message),
                serdes.results().serializer().serialize(TopicCatalog.NOTIFICATIONS_RESULTS, result)));
    }

    private static byte[] keyOf(NotificationMessage message) {
        return FanOutProcessor.recipientKey(message.getTenantId(), message.getRecipientId())
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The assigned partitions' share of the provider's rate and burst. It starts empty: a worker
     * that restarts or is given partitions must not add a burst to what went out just before.
     */
    private Bucket paceFor(int assigned) {
        NotificationSettings.ChannelLimit limit = settings.getChannels().get(channel);
        double share = (double) Math.max(1, assigned) / partitions;
        long perHour = Math.max(1, Math.round(limit.getRate() * 3600 * share));
        long burst = Math.max(1, (long) Math.floor(limit.getBurst() * share));
        return Bucket.builder().addLimit(Bandwidth.builder().capacity(burst).refillGreedy(perHour, Duration.ofHours(1))
                .initialTokens(0).build()).build();
    }

    /** Stops after the attempt under way; what is not committed is delivered again by the next owner. */
    void stop() {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }
}
