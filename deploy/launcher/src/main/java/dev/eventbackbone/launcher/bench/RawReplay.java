package dev.eventbackbone.launcher.bench;

import dev.eventbackbone.ingest.IngestGatewayApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The raw producer baseline of the ingest benchmark, doing the gateway's work and no less: it sends
 * the very records the gateway produced (read back from the stream's topic: keys, Avro values and
 * headers as they are), with the gateway's producer settings, and as many requests in flight as the
 * HTTP run has connections, each waiting for the acknowledgement of all its records as a 202 does.
 */
final class RawReplay {

    /** A record the gateway wrote. */
    record Captured(byte[] key, byte[] value, Header[] headers) {
    }

    private RawReplay() {
    }

    /** Up to {@code max} of the newest records of the topic, from every partition. */
    static List<Captured> capture(Map<String, Object> kafka, String topic, int max) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        List<Captured> captured = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions);
            long share = Math.max(1, max / partitions.size());
            for (TopicPartition partition : partitions) {
                consumer.seek(partition, Math.max(begins.get(partition), ends.get(partition) - share));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (captured.size() < max && System.nanoTime() < deadline && !caughtUp(consumer, ends)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    captured.add(new Captured(record.key(), record.value(), record.headers().toArray()));
                }
            }
        }
        if (captured.isEmpty()) {
            throw new IllegalStateException("No records on " + topic + " to replay: the gateway run wrote none");
        }
        return captured;
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }

    /**
     * Replays the records for the duration: {@code inFlight} senders, each sending {@code perRequest}
     * records and waiting for all their acknowledgements before the next; records per second acknowledged.
     */
    static double run(Map<String, Object> kafka, int partitions, List<Captured> records, int inFlight, int perRequest,
                      Duration duration) throws Exception {
        String topic = "bench.raw-replay-" + System.currentTimeMillis();
        try (Admin admin = Admin.create(kafka)) {
            int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) Math.min(3, brokers)))).all()
                    .get(30, TimeUnit.SECONDS);
            try {
                return produce(kafka, topic, records, inFlight, perRequest, duration);
            } finally {
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The producer settings of the gateway, over the cluster's connection settings. */
    static Map<String, Object> gatewayProducerConfig(Map<String, Object> kafka) {
        Map<String, Object> config = new HashMap<>(IngestGatewayApplication.producerDefaults());
        config.putAll(kafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-raw-replay");
        return config;
    }

    private static double produce(Map<String, Object> kafka, String topic, List<Captured> records, int inFlight,
                                  int perRequest, Duration duration) throws Exception {
        LongAdder acknowledged = new LongAdder();
        AtomicReference<Exception> failed = new AtomicReference<>();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(gatewayProducerConfig(kafka),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < inFlight; s++) {
                int first = s;
                Thread sender = new Thread(() -> {
                    long next = first * 7919L;
                    while (System.nanoTime() < end && failed.get() == null) {
                        CountDownLatch acks = new CountDownLatch(perRequest);
                        for (int i = 0; i < perRequest; i++) {
                            Captured record = records.get((int) (next++ % records.size()));
                            producer.send(new ProducerRecord<>(topic, null, record.key(), record.value(),
                                    List.of(record.headers())), (metadata, error) -> {
                                        if (error != null) {
                                            failed.compareAndSet(null, error);
                                        } else {
                                            acknowledged.increment();
                                        }
                                        acks.countDown();
                                    });
                        }
                        try {
                            // delivery.timeout.ms bounds every send; this bound only keeps a broken run from hanging.
                            if (!acks.await(1, TimeUnit.MINUTES)) {
                                failed.compareAndSet(null, new IllegalStateException("No acknowledgement in a minute"));
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }, "bench-raw-replay-" + s);
                sender.start();
                senders.add(sender);
            }
            for (Thread sender : senders) {
                sender.join();
            }
        }
        if (failed.get() != null) {
            throw new IllegalStateException("The raw replay failed", failed.get());
        }
        return acknowledged.sum() / ((System.nanoTime() - start) / 1e9);
    }
}
