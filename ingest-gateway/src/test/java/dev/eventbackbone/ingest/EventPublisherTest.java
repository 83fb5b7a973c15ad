package dev.eventbackbone.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.eventbackbone.ingest.spool.Spool;
import dev.eventbackbone.ingest.spool.SpoolEntry;
import dev.eventbackbone.ingest.spool.SpooledRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher's ordering and bookkeeping when Kafka answers late, out of order or strangely.
 * The producer here lets each test decide when and how every send is answered; how the gateway
 * behaves with a real broker going away is {@code BrokerOutageIT}.
 */
class EventPublisherTest {

    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(15);
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path spoolDirectory;

    private final ScriptedProducer producer = new ScriptedProducer();
    private Spool spool;
    private EventPublisher publisher;

    @AfterEach
    void close() throws InterruptedException {
        if (publisher != null) {
            publisher.stop();
        }
        if (spool != null) {
            spool.close();
        }
    }

    private EventPublisher publisherWithSpool(long maxInFlightBytes) {
        spool = Spool.open(spoolDirectory, 64L << 20);
        publisher = new EventPublisher(producer, spool, maxInFlightBytes, DELIVERY_TIMEOUT,
                new GatewayMetrics(new MetricRegistry()));
        return publisher;
    }

    private static OutgoingRecord record(String key, String value) {
        return new OutgoingRecord("orders.commands", key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8), Map.of("event-id", value.getBytes(StandardCharsets.UTF_8)));
    }

    private static OutgoingRecord record(String key, String value, int size) {
        return new OutgoingRecord("orders.commands", key.getBytes(StandardCharsets.UTF_8),
                (value + "x".repeat(size)).getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private List<String> spooledValues() {
        return spool.readOldest(100, 1 << 20).stream().map(SpooledRecord::entry)
                .map(entry -> new String(entry.value(), StandardCharsets.UTF_8)).toList();
    }

    private static List<PublishOutcome> outcomes(CompletableFuture<List<PublishOutcome>> publishing) throws Exception {
        return publishing.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void theAnswerIsCompletedOnAGatewayThreadNotOnKafkasIoThreadThatAcknowledgedTheSend() throws Exception {
        publisherWithSpool(1 << 20);
        CompletableFuture<String> answeredOn = publisher.publish(List.of(record("k", "a")))
                .thenApply(outcomes -> Thread.currentThread().getName());
        Thread kafkaIo = new Thread(() -> producer.acknowledge("a"), "kafka-producer-network-thread | ingest-gateway");
        kafkaIo.start();
        kafkaIo.join();

        assertThat(answeredOn.get(WAIT_SECONDS, TimeUnit.SECONDS)).startsWith("ingest-answer-");
    }

    @Test
    void aRecordRefusedAtOnceStopsTheRestOfItsRequestFromBeingSent() throws Exception {
        publisherWithSpool(1 << 20);
        producer.refuseAtOnce("a2");

        CompletableFuture<List<PublishOutcome>> publishing = publisher.publish(
                List.of(record("k", "a1"), record("k", "a2"), record("k", "a3")));
        assertThat(producer.sentValues()).containsExactly("a1", "a2");
        producer.acknowledge("a1");

        List<PublishOutcome> outcomes = outcomes(publishing);
        assertThat(outcomes.get(0)).isEqualTo(new PublishOutcome.Accepted("orders.commands", 0, 0, false));
        assertThat(outcomes.subList(1, 3)).allSatisfy(outcome ->
                assertThat(outcome).isEqualTo(PublishOutcome.Accepted.spooled("orders.commands")));
        assertThat(spooledValues()).containsExactly("a2", "a3");
        assertThat(producer.sentValues()).doesNotContain("a3");
    }

    @Test
    void aRequestSpooledAfterItsSlowestRecordFailedKeepsItsPlaceAheadOfLaterRequests() throws Exception {
        publisherWithSpool(1 << 20);
        CompletableFuture<List<PublishOutcome>> first = publisher.publish(
                List.of(record("k1", "k1-first"), record("k2", "k2-slow")));
        CompletableFuture<List<PublishOutcome>> second = publisher.publish(List.of(record("k1", "k1-second")));

        producer.fail("k1-first");
        producer.fail("k1-second");
        outcomes(second);
        assertThat(publisher.isSpooling()).isTrue();
        CompletableFuture<List<PublishOutcome>> third = publisher.publish(List.of(record("k1", "k1-third")));
        outcomes(third);
        assertThat(first).isNotDone();
        assertThat(spooledValues()).as("nothing may be drained while an earlier request may still be spooled")
                .isEmpty();

        producer.fail("k2-slow");
        outcomes(first);
        assertThat(spooledValues()).containsExactly("k1-first", "k2-slow", "k1-second", "k1-third");
    }

    @Test
    void aCallbackThatThrowsNeitherHangsItsRequestNorKeepsThePublisherSpooling() throws Exception {
        publisherWithSpool(1 << 20);
        publisher.start();
        CompletableFuture<List<PublishOutcome>> publishing = publisher.publish(List.of(record("k", "odd")));

        producer.acknowledgeEverySendFromNowOn();
        producer.answerWithNeitherMetadataNorFailure("odd");

        assertThat(outcomes(publishing)).containsExactly(PublishOutcome.Accepted.spooled("orders.commands"));
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> !publisher.isSpooling());
        assertThat(spool.isEmpty()).isTrue();
        assertThat(publisher.inFlightBytes()).isZero();
    }

    @Test
    void requestsGoingToTheSpoolCountAgainstTheInFlightBound() throws Exception {
        publisherWithSpool(1_000);
        CompletableFuture<List<PublishOutcome>> outstanding = publisher.publish(List.of(record("k1", "slow", 500)));
        CompletableFuture<List<PublishOutcome>> failing = publisher.publish(List.of(record("k2", "failing", 10)));
        producer.fail("failing");
        outcomes(failing);
        assertThat(publisher.isSpooling()).isTrue();

        List<PublishOutcome> refused = outcomes(publisher.publish(List.of(record("k3", "spooled", 600))));

        assertThat(refused).singleElement().isInstanceOfSatisfying(PublishOutcome.Refused.class, outcome -> {
            assertThat(outcome.error().status()).isEqualTo(503);
            assertThat(outcome.error().error()).isEqualTo("overloaded");
        });
        producer.acknowledge("slow");
        outcomes(outstanding);
        assertThat(outcomes(publisher.publish(List.of(record("k3", "spooled", 600)))))
                .containsExactly(PublishOutcome.Accepted.spooled("orders.commands"));
    }

    @Test
    void aRequestTheSpoolWritersCannotQueueIsRefusedAsOverloaded() throws Exception {
        spool = Spool.open(spoolDirectory, 64L << 20);
        spool.append(new SpoolEntry("orders.commands", null, new byte[] {1}, Map.of(), 0));
        ThreadPoolExecutor writers = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1));
        CountDownLatch stalled = new CountDownLatch(1);
        writers.execute(() -> {
            try {
                stalled.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        publisher = new EventPublisher(producer, spool, 1 << 20, DELIVERY_TIMEOUT,
                new GatewayMetrics(new MetricRegistry()), writers);
        assertThat(publisher.isSpooling()).as("a spool left from before starts the publisher spooling").isTrue();

        CompletableFuture<List<PublishOutcome>> queued = publisher.publish(List.of(record("k", "queued")));
        List<PublishOutcome> refused = outcomes(publisher.publish(List.of(record("k", "refused"))));

        assertThat(refused).singleElement().isInstanceOfSatisfying(PublishOutcome.Refused.class, outcome ->
                assertThat(outcome.error().error()).isEqualTo("overloaded"));
        assertThat(publisher.inFlightBytes()).isEqualTo(record("k", "queued").sizeInBytes());
        stalled.countDown();
        assertThat(outcomes(queued)).containsExactly(PublishOutcome.Accepted.spooled("orders.commands"));
        assertThat(spooledValues()).containsExactly("\u0001", "queued");
    }

    /** A producer whose sends are answered when, and how, the test says. */
    private static final class ScriptedProducer extends MockProducer<byte[], byte[]> {

        private final Map<String, Callback> unanswered = new ConcurrentHashMap<>();
        private final List<String> sent = new ArrayList<>();
        private final Set<String> refuseAtOnce = ConcurrentHashMap.newKeySet();
        private volatile boolean acknowledgeAll;
        private long nextOffset;

        ScriptedProducer() {
            super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            String value = new String(record.value(), StandardCharsets.UTF_8).replaceAll("x+$", "");
            sent.add(value);
            if (refuseAtOnce.contains(value)) {
                TimeoutException refusal = new TimeoutException("Topic not present in metadata after 1000 ms.");
                callback.onCompletion(null, refusal);
                return CompletableFuture.failedFuture(refusal);
            }
            if (acknowledgeAll) {
                callback.onCompletion(metadata(), null);
                return CompletableFuture.completedFuture(null);
            }
            unanswered.put(value, callback);
            return new CompletableFuture<>();
        }

        synchronized List<String> sentValues() {
            return List.copyOf(sent);
        }

        void refuseAtOnce(String value) {
            refuseAtOnce.add(value);
        }

        synchronized void acknowledge(String value) {
            unanswered.remove(value).onCompletion(metadata(), null);
        }

        void fail(String value) {
            unanswered.remove(value).onCompletion(null,
                    new TimeoutException("Expiring 1 record(s): 15000 ms has passed since batch creation"));
        }

        void answerWithNeitherMetadataNorFailure(String value) {
            try {
                unanswered.remove(value).onCompletion(null, null);
            } catch (RuntimeException e) {
                // As KafkaProducer does: a callback's exception is logged by the producer and goes no further.
            }
        }

        void acknowledgeEverySendFromNowOn() {
            acknowledgeAll = true;
        }

        private RecordMetadata metadata() {
            return new RecordMetadata(new TopicPartition("orders.commands", 0), nextOffset++, 0, 0, 0, 0);
        }
    }
}
