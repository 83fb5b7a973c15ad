package dev.eventbackbone.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaCluster;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.AvroRecords;
import dev.eventbackbone.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker the gateway writes to is stopped under load and started again: nothing answered 202
 * is missing afterwards. The registry lives on the module's shared broker, which stays up.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class BrokerOutageIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CUSTOMERS = 6;

    @TempDir
    Path dir;

    private EmbeddedKafkaCluster kafka;
    private String bootstrap;
    private String apiKey;

    @BeforeEach
    void startBroker() {
        kafka = EmbeddedKafkaCluster.builder().nodes(1).dataDir(dir.resolve("kafka")).start();
        bootstrap = kafka.bootstrapServers();
        TopicProvisioner.provisionCatalog(bootstrap);
        apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), "acme", List.of("ingest:*"), null).secret();
    }

    @AfterEach
    void stopBroker() {
        kafka.close();
    }

    private TestServer<IngestGatewayConfiguration> gateway(boolean spool) {
        IngestGatewayConfiguration configuration = GatewayConfigurations.forTest(bootstrap, registry.url(),
                dir.resolve("keys.yml"));
        // Short timeouts, so the outage is noticed within a test's patience.
        configuration.getKafka().getProducerProperties().put("request.timeout.ms", "1000");
        configuration.getKafka().getProducerProperties().put("delivery.timeout.ms", "3000");
        configuration.getKafka().getProducerProperties().put("reconnect.backoff.max.ms", "200");
        configuration.getSpool().setEnabled(spool);
        configuration.getSpool().setDirectory(dir.resolve("spool"));
        return TestServer.start(IngestGatewayApplication.class, configuration);
    }

    private static String command(int customer, int sequence) {
        return "{\"commandId\":\"" + customer + "-" + sequence + "\",\"type\":\"CANCEL\",\"customerId\":\"cust-"
                + customer + "\",\"orderId\":\"o-" + sequence + "\"}";
    }

    /** One client per customer, each posting its commands one after another until told to stop. */
    private Map<Integer, List<String>> postUntil(TestServer<IngestGatewayConfiguration> gateway, AtomicBoolean stop,
                                                  Map<Integer, Integer> statuses, Set<String> spooledIds,
                                                  CountDownLatch warmedUp) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CUSTOMERS);
        Map<Integer, List<String>> acceptedInOrder = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int customer = 0; customer < CUSTOMERS; customer++) {
            int c = customer;
            acceptedInOrder.put(c, Collections.synchronizedList(new ArrayList<>()));
            done.add(CompletableFuture.runAsync(() -> {
                for (int sequence = 0; !stop.get(); sequence++) {
                    HttpResponse<String> response = gateway.post("/v1/events/orders", apiKey, command(c, sequence));
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                    if (response.statusCode() == 202) {
                        try {
                            JsonNode body = JSON.readTree(response.body());
                            acceptedInOrder.get(c).add(c + "-" + sequence);
                            if (body.path("spooled").asBoolean()) {
                                spooledIds.add(body.get("eventId").asText());
                            }
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    } else {
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
                        assertThat(response.headers().firstValue("Retry-After")).isPresent();
                    }
                    warmedUp.countDown();
                }
            }, clients));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
        clients.shutdown();
        return acceptedInOrder;
    }

    private List<ConsumerRecord<String, Object>> commandsOnTopic(int expected) {
        return new AvroRecords(bootstrap, registry.url()).read(TopicCatalog.ORDERS_COMMANDS)
                .matching(record -> record.value() instanceof OrderCommand).awaitAtLeast(expected);
    }

    /**
     * Once the clients are warmed up, stops the broker, runs {@code duringOutage}, starts the broker
     * again and lets the clients go on until 100 more of their requests were accepted.
     */
    private CompletableFuture<Void> runOutage(AtomicBoolean stop, CountDownLatch warmedUp,
                                              Map<Integer, Integer> statuses, Runnable duringOutage) {
        return CompletableFuture.runAsync(() -> {
            try {
                warmedUp.await();
                kafka.stopNode(0);
                duringOutage.run();
                kafka.startNode(0);
                awaitAnswers(statuses, 202, statuses.getOrDefault(202, 0) + 100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                stop.set(true);
            }
        });
    }

    @Test
    void withoutSpoolEveryAcceptedEventSurvivesABrokerRestartAndTheRestAre503() throws Exception {
        try (TestServer<IngestGatewayConfiguration> gateway = gateway(false)) {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch warmedUp = new CountDownLatch(300);
            Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
            CompletableFuture<Void> outage = runOutage(stop, warmedUp, statuses, () -> {
                awaitAnswers(statuses, 503, 1);
                HttpResponse<String> ready = gateway.admin("/ready");
                assertThat(ready.statusCode()).as("without a spool it cannot serve: %s", ready.body()).isEqualTo(503);
            });
            Map<Integer, List<String>> accepted = postUntil(gateway, stop, statuses, ConcurrentHashMap.newKeySet(),
                    warmedUp);
            outage.get(1, TimeUnit.MINUTES);

            // The outage itself waited for a 503 before bringing the broker back: without one it would have failed.
            int acceptedCount = accepted.values().stream().mapToInt(List::size).sum();
            Set<String> onTopic = new LinkedHashSet<>();
            commandsOnTopic(acceptedCount).forEach(record -> onTopic.add(((OrderCommand) record.value()).getCommandId()));
            accepted.values().forEach(ids -> assertThat(onTopic).containsAll(ids));
        }
    }

    @Test
    void withSpoolRequestsDuringTheOutageAreSpooledAndAllArriveInPerKeyOrder() throws Exception {
        try (TestServer<IngestGatewayConfiguration> gateway = gateway(true)) {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch warmedUp = new CountDownLatch(300);
            Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
            Set<String> spooled = ConcurrentHashMap.newKeySet();
            CompletableFuture<Void> outage = runOutage(stop, warmedUp, statuses, () -> {
                awaitSpooled(spooled, 200);
                HttpResponse<String> health = gateway.admin("/healthcheck");
                assertThat(health.statusCode()).as("Kafka is down: %s", health.body()).isEqualTo(500);
                HttpResponse<String> ready = gateway.admin("/ready");
                assertThat(ready.statusCode()).as("yet it serves, into its spool: %s", ready.body()).isEqualTo(200);
            });
            Map<Integer, List<String>> accepted = postUntil(gateway, stop, statuses, spooled, warmedUp);
            outage.get(1, TimeUnit.MINUTES);

            assertThat(statuses.keySet()).as("statuses %s", statuses).containsOnly(202);
            assertThat(spooled).hasSizeGreaterThanOrEqualTo(200);
            int acceptedCount = accepted.values().stream().mapToInt(List::size).sum();
            Map<String, List<String>> byKey = new LinkedHashMap<>();
            for (ConsumerRecord<String, Object> record : commandsOnTopic(acceptedCount)) {
                byKey.computeIfAbsent(record.key(), key -> new ArrayList<>())
                        .add(((OrderCommand) record.value()).getCommandId());
            }
            for (int customer = 0; customer < CUSTOMERS; customer++) {
                // Delivery from the spool is at least once: a repeat may follow, the order of first arrivals holds.
                List<String> firstArrivals = new ArrayList<>(new LinkedHashSet<>(byKey.get("acme:cust-" + customer)));
                assertThat(firstArrivals).as("customer %d", customer).containsExactlyElementsOf(accepted.get(customer));
            }
        }
    }

    @Test
    void withoutSpoolAnOutageAnswers503KafkaUnavailableAndAFullInFlightBoundAnswers503Overloaded() throws Exception {
        IngestGatewayConfiguration configuration = GatewayConfigurations.forTest(bootstrap, registry.url(),
                dir.resolve("keys.yml"));
        configuration.getKafka().getProducerProperties().put("request.timeout.ms", "1000");
        configuration.getKafka().getProducerProperties().put("delivery.timeout.ms", "4000");
        configuration.getLimits().setMaxInFlight(io.dropwizard.util.DataSize.mebibytes(1));
        try (TestServer<IngestGatewayConfiguration> gateway = TestServer.start(IngestGatewayApplication.class,
                configuration)) {
            assertThat(gateway.post("/v1/events/orders", apiKey, command(0, 0)).statusCode()).isEqualTo(202);
            kafka.stopNode(0);
            String big = "{\"commandId\":\"big\",\"type\":\"CANCEL\",\"customerId\":\"c\",\"orderId\":\"o\","
                    + "\"metadata\":{\"pad\":\"" + "x".repeat(60_000) + "\"}}";
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            ExecutorService clients = Executors.newFixedThreadPool(30);
            for (int i = 0; i < 30; i++) {
                responses.add(CompletableFuture.supplyAsync(() -> gateway.post("/v1/events/orders", apiKey, big), clients));
            }
            Map<String, Integer> errors = new LinkedHashMap<>();
            for (CompletableFuture<HttpResponse<String>> response : responses) {
                HttpResponse<String> answer = response.get(1, TimeUnit.MINUTES);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
                assertThat(answer.headers().firstValue("Retry-After")).isPresent();
                errors.merge(JSON.readTree(answer.body()).get("error").asText(), 1, Integer::sum);
            }
            clients.shutdown();
            assertThat(errors).containsKeys("overloaded", "kafka_unavailable");
            kafka.startNode(0);
        }
    }

    private static void awaitAnswers(Map<Integer, Integer> statuses, int status, int count) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> statuses.getOrDefault(status, 0) >= count);
    }

    private static void awaitSpooled(Set<String> spooled, int count) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> spooled.size() >= count);
    }
}
