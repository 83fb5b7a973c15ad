package dev.eventbackbone.launcher.bench;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The reference a topology's benchmark is read against: a plain exactly-once Kafka Streams copy
 * of records of the same size on the same broker, the least any exactly-once topology pays per record.
 */
final class PassThroughReference {

    private static final Duration GIVE_UP = Duration.ofMinutes(5);

    private PassThroughReference() {
    }

    /** Two new topics of the given partitions, with leaders: the reference's input and output. */
    static String[] topics(String bootstrap, int partitions) throws Exception {
        String in = "bench.passthrough.in." + UUID.randomUUID();
        String out = "bench.passthrough.out." + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(in, partitions, (short) 1), new NewTopic(out, partitions, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
            awaitLeaders(admin, List.of(in, out));
        }
        return new String[] {in, out};
    }

    /**
     * Records per second through a plain exactly-once Streams copy of {@code count} records,
     * written first with the given keys and values (the size of the records the measured topology reads).
     */
    static double run(String bootstrap, String in, String out, int count, LongFunction<byte[]> key,
                      LongFunction<byte[]> value) throws Exception {
        return run(bootstrap, in, out, count, key, value, 1);
    }

    /** The same with as many stream threads as the measured topology had. */
    static double run(String bootstrap, String in, String out, int count, LongFunction<byte[]> key,
                      LongFunction<byte[]> value, int threads) throws Exception {
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (long i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(in, key.apply(i), value.apply(i)), (metadata, error) -> {
                            if (error != null) {
                                failed.compareAndSet(null, error);
                            }
                        });
            }
        }
        if (failed.get() != null) {
            throw new IllegalStateException("Filling the pass-through's input failed", failed.get());
        }
        Properties streamsConfig = new Properties();
        streamsConfig.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-passthrough-" + UUID.randomUUID());
        streamsConfig.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        streamsConfig.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        streamsConfig.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("passthrough").toString());
        streamsConfig.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        streamsConfig.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        long started = System.nanoTime();
        try (KafkaStreams streams = new KafkaStreams(builder.build(), streamsConfig)) {
            streams.start();
            awaitCommitted(bootstrap, out, count);
        }
        return count / ((System.nanoTime() - started) / 1e9);
    }

    /**
     * A topic just created may be unknown to the broker's metadata, or answer NOT_LEADER, for a
     * moment; the reference must not start in that moment.
     */
    private static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        while (!haveLeaders(admin, topics)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The topics " + topics + " got no leaders");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static boolean haveLeaders(Admin admin, List<String> topics) throws Exception {
        try {
            return admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                    .flatMap(description -> description.partitions().stream())
                    .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }

    /** Waits until the topic holds {@code count} committed records. */
    static void awaitCommitted(String bootstrap, String topic, long count) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long seen = 0;
            while (seen < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Only " + seen + " of " + count + " records came through");
                }
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
    }

}
