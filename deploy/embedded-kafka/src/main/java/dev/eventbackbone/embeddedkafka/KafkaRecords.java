package dev.eventbackbone.embeddedkafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Produces records and reads them back as a downstream consumer would (read committed, from the
 * beginning, without a consumer group), on any cluster. Every wait is bounded: a read that does
 * not see what it waits for fails with an {@link AssertionError} saying what it saw instead.
 *
 * <pre>{@code
 * KafkaRecords.produce(bootstrap, new StringSerializer(), new StringSerializer(), List.of(new ProducerRecord<>(topic, "k", "v")));
 * List<ConsumerRecord<String, String>> records = KafkaRecords.read(bootstrap, topic, new StringDeserializer(),
 *         new StringDeserializer()).matching(r -> r.key().equals("k")).awaitAtLeast(1);
 * }</pre>
 */
public final class KafkaRecords {

    /** How long a send waits for its acknowledgement, and a read for its records, unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private KafkaRecords() {
    }

    /** Producer settings with {@code acks=all} and idempotence: an acknowledged record is on every in-sync replica, once. */
    public static Map<String, Object> durableProducerConfig(String bootstrapServers, Map<String, ?> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DEFAULT_TIMEOUT.toMillis());
        config.putAll(overrides);
        return config;
    }

    /** A durable producer (see {@link #durableProducerConfig}); the caller closes it. */
    public static <K, V> KafkaProducer<K, V> durableProducer(String bootstrapServers, Serializer<K> keys,
                                                             Serializer<V> values) {
        return new KafkaProducer<>(durableProducerConfig(bootstrapServers, Map.of()), keys, values);
    }

    /** Sends the records in order with a durable producer and waits for every acknowledgement. */
    public static <K, V> List<RecordMetadata> produce(String bootstrapServers, Serializer<K> keys, Serializer<V> values,
                                                      List<ProducerRecord<K, V>> records) {
        try (KafkaProducer<K, V> producer = durableProducer(bootstrapServers, keys, values)) {
            return produce(producer, records);
        }
    }

    /** Sends the records in order with the given producer and waits for every acknowledgement. */
    public static <K, V> List<RecordMetadata> produce(KafkaProducer<K, V> producer, List<ProducerRecord<K, V>> records) {
        List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
        records.forEach(record -> sends.add(producer.send(record)));
        List<RecordMetadata> acknowledged = new ArrayList<>(sends.size());
        for (int i = 0; i < sends.size(); i++) {
            try {
                acknowledged.add(sends.get(i).get(DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                throw new IllegalStateException("Kafka refused record " + i + " for " + records.get(i).topic() + ": "
                        + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new AssertionError("Record " + i + " for " + records.get(i).topic() + " was not acknowledged within "
                        + DEFAULT_TIMEOUT.toSeconds() + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while producing to " + records.get(i).topic(), e);
            }
        }
        return acknowledged;
    }

    /** The last value of header {@code name} as UTF-8 text, or null when the record has none. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A reader of every partition of {@code topic} with these deserializers. */
    public static <K, V> Reader<K, V> read(String bootstrapServers, String topic, Deserializer<K> keys,
                                           Deserializer<V> values) {
        return new Reader<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topic, keys, values);
    }

    /**
     * A reader whose consumer Kafka configures from {@code consumerConfig} alone, deserializers included
     * by class name, as an application's consumer would be.
     */
    public static <K, V> Reader<K, V> read(Map<String, ?> consumerConfig, String topic) {
        return new Reader<>(consumerConfig, topic, null, null);
    }

    /** What to read and until when; each {@code await} call reads the topic from its beginning again. */
    public static final class Reader<K, V> {
        private final Map<String, Object> config;
        private final String topic;
        private final Deserializer<K> keys;
        private final Deserializer<V> values;
        private Integer partition;
        private Predicate<ConsumerRecord<K, V>> wanted = record -> true;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Reader(Map<String, ?> config, String topic, Deserializer<K> keys, Deserializer<V> values) {
            this.config = new HashMap<>(config);
            this.config.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            this.config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            this.config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
            this.topic = topic;
            this.keys = keys;
            this.values = values;
        }

        /** Only this partition; default every partition of the topic. */
        public Reader<K, V> partition(int partition) {
            this.partition = partition;
            return this;
        }

        /** Keeps only the records {@code wanted} accepts; the others are read and passed over. */
        public Reader<K, V> matching(Predicate<ConsumerRecord<K, V>> wanted) {
            this.wanted = wanted;
            return this;
        }

        /** How long an {@code await} may take before it fails; default {@link #DEFAULT_TIMEOUT}. */
        public Reader<K, V> timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Every kept record, in partition order, once at least {@code count} have been seen. */
        public List<ConsumerRecord<K, V>> awaitAtLeast(int count) {
            return awaitUntil("at least " + count + " record(s)", kept -> kept.size() >= count, Duration.ZERO);
        }

        /**
         * Exactly {@code count} kept records: waits for them, then reads on for {@code settle} more to
         * catch any extra one (a duplicate, a second answer) and fails if one came.
         */
        public List<ConsumerRecord<K, V>> awaitExactly(int count, Duration settle) {
            List<ConsumerRecord<K, V>> kept = awaitUntil(count + " record(s)", seen -> seen.size() >= count, settle);
            if (kept.size() != count) {
                throw new AssertionError("Expected exactly " + count + " record(s) on " + topic + " but read "
                        + kept.size() + ": " + describe(kept));
            }
            return kept;
        }

        /** Every kept record once {@code done} holds for the list read so far. */
        public List<ConsumerRecord<K, V>> awaitUntil(String what, Predicate<List<ConsumerRecord<K, V>>> done) {
            return awaitUntil(what, done, Duration.ZERO);
        }

        private List<ConsumerRecord<K, V>> awaitUntil(String what, Predicate<List<ConsumerRecord<K, V>>> done,
                                                      Duration settle) {
            List<ConsumerRecord<K, V>> kept = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            try (KafkaConsumer<K, V> consumer = keys == null ? new KafkaConsumer<>(config)
                    : new KafkaConsumer<>(config, keys, values)) {
                List<TopicPartition> partitions = partition != null ? List.of(new TopicPartition(topic, partition))
                        : consumer.partitionsFor(topic, timeout).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
                if (partitions.isEmpty()) {
                    throw new AssertionError("Topic " + topic + " does not exist on " + config.get(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (!done.test(kept)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("Waited " + timeout.toSeconds() + " s for " + what + " on " + topic
                                + " (read committed); kept " + kept.size() + ": " + describe(kept));
                    }
                    poll(consumer, kept, Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())));
                }
                long settleUntil = System.nanoTime() + settle.toNanos();
                for (long left = settle.toNanos(); left > 0; left = settleUntil - System.nanoTime()) {
                    poll(consumer, kept, Duration.ofNanos(left));
                }
            }
            return kept;
        }

        private void poll(KafkaConsumer<K, V> consumer, List<ConsumerRecord<K, V>> kept, Duration wait) {
            for (ConsumerRecord<K, V> record : consumer.poll(wait)) {
                if (wanted.test(record)) {
                    kept.add(record);
                }
            }
        }

        private static String describe(List<? extends ConsumerRecord<?, ?>> records) {
            List<String> shown = records.stream().limit(10)
                    .map(r -> r.partition() + "@" + r.offset() + " " + r.key()).toList();
            return records.size() > 10 ? shown + " ..." : shown.toString();
        }
    }
}
