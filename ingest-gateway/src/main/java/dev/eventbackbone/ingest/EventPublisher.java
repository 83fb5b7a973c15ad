package dev.eventbackbone.ingest;

import dev.eventbackbone.ingest.spool.Spool;
import dev.eventbackbone.ingest.spool.SpoolEntry;
import dev.eventbackbone.ingest.spool.SpoolFullException;
import dev.eventbackbone.ingest.spool.SpooledRecord;
import dev.eventbackbone.service.ApiError;
import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands accepted records to Kafka and answers only once they are safe: acknowledged by Kafka
 * ({@code acks=all}, idempotent producer), or, with the spool on, synced to the local spool.
 *
 * <p>Without a thread parked per request: {@link #publish} returns a future completed from the
 * producer's callback. Serialized bytes awaiting Kafka's acknowledgement or a spool sync are
 * bounded, and so is the queue of spool appends; beyond either bound the caller is told to retry
 * (503) instead of queueing without limit.
 *
 * <p>With the spool: the first record that Kafka fails with a fault that may pass (broker down,
 * timeouts, leadership moving) switches the publisher to spooling. From then on every new record
 * is appended to the spool, behind those already there, so one key's records keep the order in
 * which they were accepted; a single drainer publishes the spool oldest first and removes what
 * Kafka acknowledged. Only when the spool is empty, no append is pending and no direct send is
 * outstanding does the publisher go back to sending directly. Every request reserves its place in
 * the spool before it is sent, so records sent directly when the outage began and failed later are
 * appended before everything accepted after them, however late their failure comes; the drainer
 * waits for such places to be filled or given back. A record that {@code send()} refuses at once
 * stops the rest of its request from being sent, for the same reason. Delivery from the spool is
 * at least once: a record whose acknowledgement was lost is sent again, with the same event id for
 * consumers to deduplicate.
 */
final class EventPublisher implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
    private static final int DRAIN_BATCH_RECORDS = 1_000;
    private static final long DRAIN_BATCH_BYTES = 4L << 20;
    private static final Duration MAX_DRAIN_BACKOFF = Duration.ofSeconds(5);
    private static final int SPOOL_WRITERS = 4;
    /** Threads that complete answers; each answer is small work (JSON and a socket write that fits its buffer). */
    private static final int ANSWER_THREADS = 2;
    private static final int SPOOL_WRITE_QUEUE = 4_096;
    static final int RETRY_AFTER_OVERLOADED_SECONDS = 1;
    static final int RETRY_AFTER_KAFKA_DOWN_SECONDS = 5;
    static final int RETRY_AFTER_SPOOL_FULL_SECONDS = 10;

    private final Producer<byte[], byte[]> producer;
    private final Spool spool;
    private final long maxInFlightBytes;
    private final Duration deliveryTimeout;
    private final GatewayMetrics metrics;

    private final AtomicLong inFlightBytes = new AtomicLong();
    private final ReentrantReadWriteLock modeLock = new ReentrantReadWriteLock();
    private volatile boolean spooling;
    private final AtomicInteger pendingSpoolAppends = new AtomicInteger();
    private final AtomicInteger directOutstanding = new AtomicInteger();
    private final ExecutorService spoolWriters;
    private final ExecutorService answers = Executors.newFixedThreadPool(ANSWER_THREADS, daemon("answer"));
    private final Object drainSignal = new Object();
    private Thread drainer;
    private volatile boolean running;

    /**
     * @param spool null when the spool is off: a Kafka outage then answers 503 with Retry-After
     */
    EventPublisher(Producer<byte[], byte[]> producer, Spool spool, long maxInFlightBytes, Duration deliveryTimeout,
                   GatewayMetrics metrics) {
        // A few writers so concurrent synced appends share one fsync (RocksDB's group commit), with a
        // bounded queue: beyond it the caller is told to retry rather than queueing without limit.
        this(producer, spool, maxInFlightBytes, deliveryTimeout, metrics, spool == null ? null
                : new ThreadPoolExecutor(SPOOL_WRITERS, SPOOL_WRITERS, 0, TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(SPOOL_WRITE_QUEUE), daemon("spool-writer")));
    }

    /** @param spoolWriters runs spool appends; one that refuses a task is answered 503 {@code overloaded} */
    EventPublisher(Producer<byte[], byte[]> producer, Spool spool, long maxInFlightBytes, Duration deliveryTimeout,
                   GatewayMetrics metrics, ExecutorService spoolWriters) {
        this.producer = producer;
        this.spool = spool;
        this.maxInFlightBytes = maxInFlightBytes;
        this.deliveryTimeout = deliveryTimeout;
        this.metrics = metrics;
        this.spoolWriters = spoolWriters;
        this.spooling = spool != null && !spool.isEmpty();
        metrics.gauge("ingest_in_flight_bytes",
                "Serialized bytes accepted and not yet acknowledged by Kafka or synced to the spool", inFlightBytes::get);
        if (spool != null) {
            metrics.gauge("ingest_spool_depth", "Events in the local spool waiting for Kafka", spool::depth);
            metrics.gauge("ingest_spool_bytes", "Bytes in the local spool waiting for Kafka", spool::bytes);
        }
    }

    @Override
    public void start() {
        running = true;
        if (spool != null) {
            if (spooling) {
                LOG.info("Spool holds {} events from before the restart; draining them to Kafka first", spool.depth());
            }
            drainer = daemon("spool-drainer").newThread(this::drainLoop);
            drainer.start();
        }
    }

    @Override
    public void stop() throws InterruptedException {
        running = false;
        if (drainer != null) {
            drainer.interrupt();
            drainer.join(deliveryTimeout.toMillis() + 5_000);
        }
        if (spoolWriters != null) {
            spoolWriters.shutdown();
            spoolWriters.awaitTermination(30, TimeUnit.SECONDS);
        }
        producer.close(Duration.ofSeconds(30));
        answers.shutdown();
        answers.awaitTermination(30, TimeUnit.SECONDS);
    }

    boolean spoolEnabled() {
        return spool != null;
    }

    boolean isSpooling() {
        return spooling;
    }

    long inFlightBytes() {
        return inFlightBytes.get();
    }

    /**
     * Publishes records (one event, or a batch's valid events) and completes with one outcome per
     * record, in order. A batch goes to the spool as one atomic append.
     */
    CompletableFuture<List<PublishOutcome>> publish(List<OutgoingRecord> records) {
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        long bytes = 0;
        for (OutgoingRecord record : records) {
            bytes += record.sizeInBytes();
        }
        long reserved = bytes;
        long total = inFlightBytes.addAndGet(reserved);
        // A single request larger than the bound still passes when nothing else is waiting.
        if (total > maxInFlightBytes && total != reserved) {
            inFlightBytes.addAndGet(-reserved);
            return CompletableFuture.completedFuture(refuseAll(records, overloaded("has " + maxInFlightBytes
                    + " bytes waiting for Kafka's acknowledgement or the spool, its limit")));
        }
        CompletableFuture<List<PublishOutcome>> outcomes = route(records)
                .whenComplete((done, failure) -> inFlightBytes.addAndGet(-reserved));
        // The producer completes a send on Kafka's I/O thread, which every other send waits behind: the HTTP answer
        // (its JSON, Jersey's resume, the socket write) is built on a thread of the gateway's own instead.
        return outcomes.isDone() ? outcomes : outcomes.thenApplyAsync(Function.identity(), answers);
    }

    private CompletableFuture<List<PublishOutcome>> route(List<OutgoingRecord> records) {
        // Composed onto a completed future so that anything thrown becomes a failed answer, and the
        // counts below are given back whatever happens.
        CompletableFuture<List<OutgoingRecord>> start = CompletableFuture.completedFuture(records);
        if (spool == null) {
            return start.thenCompose(this::sendDirect).thenApply(outcomes -> resolveUndelivered(outcomes, List.of()));
        }
        boolean toSpool;
        Spool.Reservation reservation;
        modeLock.readLock().lock();
        try {
            toSpool = spooling;
            (toSpool ? pendingSpoolAppends : directOutstanding).incrementAndGet();
            reservation = spool.reserve(records.size());
        } finally {
            modeLock.readLock().unlock();
        }
        if (toSpool) {
            return start.thenCompose(accepted -> appendToSpool(reservation, accepted))
                    .whenComplete((outcomes, failure) -> {
                        spool.release(reservation);
                        pendingSpoolAppends.decrementAndGet();
                    });
        }
        return start.thenCompose(this::sendDirect)
                .thenCompose(outcomes -> spoolWhatKafkaCouldNotTake(outcomes, reservation))
                .whenComplete((outcomes, failure) -> {
                    spool.release(reservation);
                    directOutstanding.decrementAndGet();
                    if (spooling) {
                        wakeDrainer();
                    }
                });
    }

    private static ApiError overloaded(String state) {
        return ApiError.of(503, "overloaded", "The gateway " + state + "; retry after the Retry-After delay.")
                .retryAfter(RETRY_AFTER_OVERLOADED_SECONDS);
    }

    private CompletableFuture<List<PublishOutcome>> sendDirect(List<OutgoingRecord> records) {
        CompletableFuture<List<PublishOutcome>> done = new CompletableFuture<>();
        PublishOutcome[] outcomes = new PublishOutcome[records.size()];
        AtomicInteger remaining = new AtomicInteger(records.size());
        for (int i = 0; i < records.size(); i++) {
            int index = i;
            OutgoingRecord record = records.get(i);
            long sentAt = System.nanoTime();
            Exception refusedAtOnce = sendOne(record, (metadata, failure) -> {
                try {
                    if (failure == null) {
                        outcomes[index] = new PublishOutcome.Accepted(metadata.topic(), metadata.partition(),
                                metadata.offset(), false);
                        metrics.produceLatencyNanos(System.nanoTime() - sentAt);
                    } else {
                        outcomes[index] = new Undelivered(record, failure);
                    }
                } catch (RuntimeException unexpected) {
                    LOG.error("Handling Kafka's answer for a record of {} failed", record.topic(), unexpected);
                    if (outcomes[index] == null) {
                        outcomes[index] = new Undelivered(record, unexpected);
                    }
                } finally {
                    if (remaining.decrementAndGet() == 0) {
                        done.complete(List.of(outcomes));
                    }
                }
            });
            if (refusedAtOnce != null && mayPass(refusedAtOnce)) {
                // The rest is not sent: a later record of a key could otherwise reach Kafka ahead of
                // this one, which goes to the spool or back to the caller.
                int unsent = records.size() - index - 1;
                for (int later = index + 1; later < records.size(); later++) {
                    outcomes[later] = new Undelivered(records.get(later), refusedAtOnce);
                }
                if (unsent > 0 && remaining.addAndGet(-unsent) == 0) {
                    done.complete(List.of(outcomes));
                }
                break;
            }
        }
        return done;
    }

    /** Sends a record; the failure if Kafka refused it at once (the callback has then run), else null. */
    private Exception sendOne(OutgoingRecord record, org.apache.kafka.clients.producer.Callback callback) {
        RecordHeaders headers = new RecordHeaders();
        record.headers().forEach(headers::add);
        Future<RecordMetadata> sent;
        try {
            sent = producer.send(new ProducerRecord<>(record.topic(), null, record.key(), record.value(), headers),
                    callback);
        } catch (RuntimeException e) {
            // send() throws when it cannot even queue the record, e.g. no metadata within max.block.ms.
            callback.onCompletion(null, e);
            return e;
        }
        // A refusal in send() itself comes back as a failed future that is already done.
        if (sent.isDone()) {
            try {
                sent.get();
            } catch (ExecutionException e) {
                return e.getCause() instanceof Exception cause ? cause : e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return null;
    }

    /** A record Kafka failed; resolved into a spooled acceptance or a refusal before callers see it. */
    private record Undelivered(OutgoingRecord record, Exception failure) implements PublishOutcome {
    }

    private CompletableFuture<List<PublishOutcome>> spoolWhatKafkaCouldNotTake(List<PublishOutcome> outcomes,
                                                                              Spool.Reservation reservation) {
        List<OutgoingRecord> toSpool = new ArrayList<>();
        for (PublishOutcome outcome : outcomes) {
            if (outcome instanceof Undelivered undelivered && mayPass(undelivered.failure())) {
                toSpool.add(undelivered.record());
            }
        }
        if (toSpool.isEmpty()) {
            return CompletableFuture.completedFuture(resolveUndelivered(outcomes, List.of()));
        }
        Exception cause = outcomes.stream().filter(Undelivered.class::isInstance).map(o -> ((Undelivered) o).failure())
                .findFirst().orElseThrow();
        if (!spooling) {
            LOG.warn("Kafka did not take records ({}); spooling accepted events locally until it is back", cause.toString());
            spooling = true;
            wakeDrainer();
        }
        return appendToSpool(reservation, toSpool).thenApply(spooled -> resolveUndelivered(outcomes, spooled));
    }

    private List<PublishOutcome> resolveUndelivered(List<PublishOutcome> outcomes, List<PublishOutcome> spooled) {
        List<PublishOutcome> resolved = new ArrayList<>(outcomes.size());
        int next = 0;
        for (PublishOutcome outcome : outcomes) {
            if (outcome instanceof Undelivered undelivered) {
                resolved.add(mayPass(undelivered.failure()) && spool != null
                        ? spooled.get(next++) : new PublishOutcome.Refused(refusal(undelivered.failure())));
            } else {
                resolved.add(outcome);
            }
        }
        return resolved;
    }

    /** Appends into the reservation, so the records keep the place they had when they were accepted. */
    private CompletableFuture<List<PublishOutcome>> appendToSpool(Spool.Reservation reservation,
                                                                 List<OutgoingRecord> records) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                long now = System.currentTimeMillis();
                List<SpoolEntry> entries = new ArrayList<>(records.size());
                for (OutgoingRecord record : records) {
                    entries.add(new SpoolEntry(record.topic(), record.key(), record.value(), record.headers(), now));
                }
                try {
                    spool.appendAll(reservation, entries);
                } catch (SpoolFullException e) {
                    return refuseAll(records, ApiError.of(503, "spool_full", "Kafka is unreachable and the local"
                            + " spool is full (" + spool.bytes() + " bytes); retry after the Retry-After delay.")
                            .retryAfter(RETRY_AFTER_SPOOL_FULL_SECONDS));
                } catch (RuntimeException e) {
                    LOG.error("Appending {} events to the spool failed", records.size(), e);
                    return refuseAll(records, ApiError.of(503, "spool_unavailable", "Kafka is unreachable and the"
                            + " local spool could not store the event; retry after the Retry-After delay.")
                            .retryAfter(RETRY_AFTER_KAFKA_DOWN_SECONDS));
                }
                wakeDrainer();
                List<PublishOutcome> outcomes = new ArrayList<>(records.size());
                for (OutgoingRecord record : records) {
                    outcomes.add(PublishOutcome.Accepted.spooled(record.topic()));
                }
                return outcomes;
            }, spoolWriters);
        } catch (RejectedExecutionException e) {
            spool.release(reservation);
            return CompletableFuture.completedFuture(refuseAll(records,
                    overloaded("has as many spool appends waiting as it queues")));
        }
    }

    private static List<PublishOutcome> refuseAll(List<OutgoingRecord> records, ApiError error) {
        List<PublishOutcome> outcomes = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            outcomes.add(new PublishOutcome.Refused(error));
        }
        return outcomes;
    }

    /** Faults that Kafka may get over (broker down, timeouts, moving leaders), as opposed to a refusal. */
    private static boolean mayPass(Exception failure) {
        return !(failure instanceof RecordTooLargeException
                || failure instanceof AuthorizationException
                || failure instanceof InvalidTopicException);
    }

    private static ApiError refusal(Exception failure) {
        if (failure instanceof RecordTooLargeException) {
            return ApiError.of(413, "too_large", "Kafka refused the record as too large: " + failure.getMessage());
        }
        if (!mayPass(failure)) {
            return ApiError.of(500, "kafka_refused", "Kafka refused the record: " + failure.getMessage()
                    + ". This is a gateway configuration problem; tell the operators.");
        }
        // A timeout cannot tell a record never written from one whose acknowledgement was lost.
        return ApiError.of(503, "kafka_unavailable", "Kafka did not acknowledge the event ("
                + failure.getClass().getSimpleName() + "), which may or may not have been stored. Retry after the"
                + " Retry-After delay with the same Idempotency-Key: a copy of a stored event carries its eventId,"
                + " and the platform counts it once.").retryAfter(RETRY_AFTER_KAFKA_DOWN_SECONDS);
    }

    private void wakeDrainer() {
        synchronized (drainSignal) {
            drainSignal.notifyAll();
        }
    }

    private void drainLoop() {
        long backoffMillis = 100;
        while (running) {
            try {
                if (!spooling) {
                    awaitSignal(1_000);
                    continue;
                }
                List<SpooledRecord> batch = spool.readOldest(DRAIN_BATCH_RECORDS, DRAIN_BATCH_BYTES);
                if (batch.isEmpty() && !spool.isEmpty()) {
                    // Held back by a place reserved for a request Kafka has not answered yet; its release wakes us.
                    awaitSignal(MAX_DRAIN_BACKOFF.toMillis());
                    continue;
                }
                if (batch.isEmpty()) {
                    leaveSpoolingIfDrained();
                    continue;
                }
                long deliveredThrough = publishSpooled(batch);
                if (deliveredThrough >= 0) {
                    spool.removeThrough(deliveredThrough);
                }
                if (deliveredThrough == batch.get(batch.size() - 1).sequence()) {
                    backoffMillis = 100;
                } else {
                    awaitSignal(backoffMillis);
                    backoffMillis = Math.min(backoffMillis * 2, MAX_DRAIN_BACKOFF.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Draining the spool failed; retrying", e);
                try {
                    awaitSignal(MAX_DRAIN_BACKOFF.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /**
     * Sends a batch from the spool and waits for Kafka's answers.
     *
     * @return the sequence through which every record was acknowledged, or -1 if the first was not
     */
    private long publishSpooled(List<SpooledRecord> batch) throws InterruptedException {
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>(batch.size());
        for (SpooledRecord spooled : batch) {
            CompletableFuture<RecordMetadata> ack = new CompletableFuture<>();
            SpoolEntry entry = spooled.entry();
            Exception refusedAtOnce = sendOne(new OutgoingRecord(entry.topic(), entry.key(), entry.value(),
                    entry.headers()), (metadata, failure) -> {
                        if (failure == null) {
                            ack.complete(metadata);
                        } else {
                            ack.completeExceptionally(failure);
                        }
                    });
            acks.add(ack);
            if (refusedAtOnce != null) {
                // Refused at once (e.g. no metadata within max.block.ms): a later record of the same key
                // sent now could reach Kafka first, and this one would follow it on the retry.
                break;
            }
        }
        long deliveredThrough = -1;
        long deadline = System.nanoTime() + deliveryTimeout.toNanos() + TimeUnit.SECONDS.toNanos(5);
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                deliveredThrough = batch.get(i).sequence();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                LOG.warn("Spooled events are not yet accepted by Kafka ({}); {} remain in the spool",
                        cause.toString(), spool.depth() - i);
                break;
            }
        }
        return deliveredThrough;
    }

    private void leaveSpoolingIfDrained() throws InterruptedException {
        modeLock.writeLock().lock();
        try {
            if (spool.isEmpty() && pendingSpoolAppends.get() == 0 && directOutstanding.get() == 0) {
                spooling = false;
                LOG.info("Spool drained; sending events to Kafka directly again");
                return;
            }
        } finally {
            modeLock.writeLock().unlock();
        }
        awaitSignal(10);
    }

    private void awaitSignal(long millis) throws InterruptedException {
        synchronized (drainSignal) {
            drainSignal.wait(millis);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "ingest-" + name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    static Map<String, Object> producerDefaults() {
        return Map.of(
                "acks", "all",
                "enable.idempotence", "true",
                "max.in.flight.requests.per.connection", "5",
                "linger.ms", "5",
                "batch.size", "131072",
                "compression.type", "lz4",
                "request.timeout.ms", "5000",
                "delivery.timeout.ms", "15000",
                "max.block.ms", "1000",
                "buffer.memory", Long.toString(64L << 20));
    }
}
