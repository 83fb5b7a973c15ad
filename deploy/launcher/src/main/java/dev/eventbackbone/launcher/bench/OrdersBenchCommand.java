package dev.eventbackbone.launcher.bench;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.OrderStatus;
import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.launcher.LocalPlatform;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backbone bench orders}: PLACE commands posted to the gateway over HTTP until the order
 * topology settles them (PAYMENT_REQUESTED), exactly once, with the saga's round trip to the
 * inventory tasks, on a whole local platform started on free ports. Two measures: the most
 * commands per second it settles (closed loop), and the time from each command's 202 to its
 * PAYMENT_REQUESTED at a steady rate. Beside them, in the same run on the same broker, a plain
 * exactly-once Kafka Streams pass-through of as many records of the same size: the least any
 * exactly-once topology pays per record here.
 */
@Command(name = "orders",
        mixinStandardHelpOptions = true,
        description = "Measures PLACE commands from HTTP to PAYMENT_REQUESTED (throughput, and latency at a steady"
                + " rate) on a local platform started on free ports, beside a plain exactly-once Kafka Streams"
                + " pass-through on the same broker.")
public final class OrdersBenchCommand implements Callable<Integer> {

    @Option(names = "--commands", defaultValue = "60000", description = "PLACE commands in the throughput run."
            + " Default: ${DEFAULT-VALUE}.")
    int commands;

    @Option(names = "--connections", defaultValue = "32", description = "HTTP connections posting in the throughput"
            + " run, each waiting for its answer. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--rate", defaultValue = "2000", description = "Commands per second in the latency run."
            + " Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--seconds", defaultValue = "20", description = "Length of the latency run. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--warmup", defaultValue = "5000", description = "Commands posted first and not measured."
            + " Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--work-dir", description = "Where the platform's data goes; default a fresh temporary directory.")
    Path workDir;

    private static final int CUSTOMERS = 20_000;
    private static final int SKUS = 200;
    private static final Duration GIVE_UP = Duration.ofMinutes(5);

    @Override
    public Integer call() throws Exception {
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("orders-bench");
        LocalPlatform.Settings settings = LocalPlatform.Settings.onFreePorts(dir,
                EnumSet.of(LocalPlatform.Service.GATEWAY, LocalPlatform.Service.PROCESSORS));
        System.out.printf("orders bench: %,d commands over %d connections, then %,d/s for %d s; platform data in %s%n",
                commands, connections, rate, seconds, dir);
        try (LocalPlatform platform = LocalPlatform.start(settings, new PrintStream(OutputStream.nullOutputStream()))) {
            String apiKey = Files.readString(dir.resolve("gateway").resolve(LocalPlatform.DEV_KEY_FILE)).trim();
            String bootstrap = "127.0.0.1:" + settings.kafkaPort();
            String registry = "http://127.0.0.1:" + settings.registryPort();
            URI orders = URI.create("http://127.0.0.1:" + settings.gatewayPort() + "/v1/events/orders");
            stock(URI.create("http://127.0.0.1:" + settings.gatewayPort() + "/v1/events/inventory"), apiKey);
            // Made while the broker is idle: a topic created under load may answer NOT_LEADER for a long while.
            String[] passThroughTopics = PassThroughReference.topics(bootstrap, 12);
            try (Settlements settled = new Settlements(bootstrap, registry)) {
                settled.start();
                closedLoop(orders, apiKey, "warm", warmup);
                settled.await(warmup);

                long started = System.nanoTime();
                closedLoop(orders, apiKey, "run", commands);
                long posted = System.nanoTime();
                settled.await(warmup + commands);
                long done = System.nanoTime();
                double perSecond = commands / ((done - started) / 1e9);

                Histogram latency = steadyRate(orders, apiKey, settled, warmup + commands);
                // About the size of an OrderCommand in Avro, keyed like one.
                double passThrough = PassThroughReference.run(bootstrap, passThroughTopics[0], passThroughTopics[1],
                        commands, i -> ("dev:c-" + (i % CUSTOMERS)).getBytes(StandardCharsets.UTF_8),
                        i -> place("copy", i));

                System.out.printf("%n| measure | result |%n|---|---|%n");
                System.out.printf("| PLACE over HTTP to PAYMENT_REQUESTED, %d connections | %,.0f commands/s |%n",
                        connections, perSecond);
                System.out.printf("| of which the POSTs alone (202s) | %,.0f commands/s |%n",
                        commands / ((posted - started) / 1e9));
                System.out.printf("| 202 to PAYMENT_REQUESTED at %,d/s: p50 / p99 / max | %.0f / %.0f / %.0f ms |%n",
                        rate, latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                        latency.getMaxValue() / 1000.0);
                System.out.printf("| reference: plain exactly-once Streams pass-through, same broker | %,.0f records/s |%n",
                        passThrough);
            }
        }
        return 0;
    }

    private static void stock(URI inventory, String apiKey) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int sku = 0; sku < SKUS; sku++) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(inventory)
                    .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"sku-" + sku + "\",\"available\":1000000000}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 202) {
                throw new IllegalStateException("Stocking answered " + answer.statusCode() + ": " + answer.body());
            }
        }
    }

    private static byte[] place(String run, long i) {
        return ("{\"commandId\":\"" + run + "-" + i + "\",\"type\":\"PLACE\",\"customerId\":\"c-" + (i % CUSTOMERS)
                + "\",\"orderId\":\"" + run + "-" + i + "\",\"currency\":\"EUR\",\"items\":[{\"sku\":\"sku-" + (i % SKUS)
                + "\",\"quantity\":1,\"unitPriceMinor\":1999,\"name\":\"T-shirt\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    /** Posts {@code count} PLACE commands over the connections, each waiting for its 202. */
    private void closedLoop(URI orders, String apiKey, String run, int count) throws Exception {
        AtomicLong next = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(connections);
        try {
            List<Future<Void>> work = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                work.add(clients.submit(() -> {
                    try (Http1Connection connection = new Http1Connection(orders, apiKey)) {
                        for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                            int status = connection.post(place(run, i), 1).status();
                            if (status != 202) {
                                throw new IllegalStateException("The gateway answered " + status);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> done : work) {
                done.get();
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /** Posts at the rate for the run's seconds, recording each command's 202 time, and the time to settle. */
    private Histogram steadyRate(URI orders, String apiKey, Settlements settled, long settledBefore) throws Exception {
        int total = rate * seconds;
        int threads = Math.max(1, Math.min(32, rate / 100));
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                work.add(clients.submit(() -> {
                    try (Http1Connection connection = new Http1Connection(orders, apiKey)) {
                        for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                            long due = start + i * interval;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            int status = connection.post(place("steady", i), 1).status();
                            if (status != 202) {
                                throw new IllegalStateException("The gateway answered " + status);
                            }
                            acknowledged.put("steady-" + i, System.nanoTime());
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> done : work) {
                done.get();
            }
        } finally {
            clients.shutdownNow();
        }
        settled.await(settledBefore + total);
        Histogram latency = new Histogram(3);
        acknowledged.forEach((commandId, at) -> latency.recordValue(
                Math.max(1, (settled.settledAt(commandId) - at) / 1000)));
        return latency;
    }

    /** Follows orders.events (read committed) and notes when each order settled (PAYMENT_REQUESTED, or a failure). */
    private static final class Settlements implements AutoCloseable {

        private final KafkaConsumer<String, Object> consumer;
        private final Map<String, Long> settledAt = new ConcurrentHashMap<>();
        private final AtomicLong settled = new AtomicLong();
        private final Thread thread = new Thread(this::follow, "orders-bench-settlements");
        private volatile boolean running = true;
        private volatile RuntimeException failure;

        Settlements(String bootstrap, String registry) {
            Properties config = new Properties();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            AvroDeserializer<Object> values = new AvroDeserializer<>();
            values.configure(Map.of("schema.registry.url", registry, "specific.avro.reader", "true"), false);
            consumer = new KafkaConsumer<>(config, new StringDeserializer(), values);
        }

        void start() {
            List<TopicPartition> partitions = consumer.partitionsFor(TopicCatalog.ORDERS_EVENTS).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            thread.start();
        }

        private void follow() {
            try {
                while (running) {
                    for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(100))) {
                        OrderEvent event = (OrderEvent) record.value();
                        OrderStatus status = event.getStatus();
                        if (status == OrderStatus.PAYMENT_REQUESTED || status == OrderStatus.INVENTORY_UNAVAILABLE
                                || status == OrderStatus.REJECTED) {
                            if (status != OrderStatus.PAYMENT_REQUESTED) {
                                throw new IllegalStateException("Order " + event.getOrderId() + " was " + status
                                        + ": " + event.getReason());
                            }
                            settledAt.put(event.getCommandId(), System.nanoTime());
                            settled.incrementAndGet();
                        }
                    }
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        void await(long count) {
            long deadline = System.nanoTime() + GIVE_UP.toNanos();
            while (settled.get() < count) {
                if (failure != null) {
                    throw failure;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Only " + settled.get() + " of " + count + " orders settled");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        long settledAt(String commandId) {
            return settledAt.get(commandId);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(TimeUnit.SECONDS.toMillis(10));
            consumer.close();
        }
    }
}
