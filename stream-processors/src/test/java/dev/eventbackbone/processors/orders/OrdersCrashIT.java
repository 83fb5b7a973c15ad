package dev.eventbackbone.processors.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.events.InventoryUpdate;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.OrderCommandType;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.OrderItem;
import dev.eventbackbone.contracts.events.OrderStatus;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.processors.StreamProcessorsApplication;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import dev.eventbackbone.testing.ServiceYaml;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream processors in their own JVM are killed with SIGKILL in the middle of 20,000 orders for
 * 20 SKUs that cannot all be served. Restarted, they answer every command exactly once on
 * orders.events (read committed), sell no SKU beyond its stock, and leak no reservation.
 */
class OrdersCrashIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension().onItsOwnBroker();

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    private static final int COMMANDS = 20_000;
    private static final int SKUS = 20;
    private static final long STOCK_PER_SKU = 600;
    private static final String TENANT = "crash-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void answersEveryCommandOnceAndSellsNoSkuBeyondItsStockAfterKillMinusNine() throws Exception {
        TopicProvisioner.provisionCatalog(registry.bootstrapServers());
        String apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), TENANT, List.of("read:orders"), null).secret();
        int port = FreePorts.next();
        int adminPort = FreePorts.next();
        Path config = writeConfig(port, adminPort);
        ServiceProcess processors = processes.start(ServiceProcess.java(StreamProcessorsApplication.class, "server",
                config.toString()).heap("1g").log(dir.resolve("processors.log"))
                .readyWhenHealthy("http://127.0.0.1:" + adminPort + "/ping"));
        String api = "http://127.0.0.1:" + port + "/v1";
        try (KafkaProducer<String, Object> producer = registry.avro().producer()) {
            for (int sku = 0; sku < SKUS; sku++) {
                producer.send(new ProducerRecord<>(TopicCatalog.INVENTORY_UPDATES, TENANT + ":sku-" + sku,
                        InventoryUpdate.newBuilder().setEventId("stock-" + sku).setTenantId(TENANT).setSource("test")
                                .setReceivedAt(Instant.now()).setSku("sku-" + sku).setAvailable(STOCK_PER_SKU)
                                .build()));
            }
        }
        Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                Http.getJson(api + "/inventory/sku-" + (SKUS - 1), apiKey).path("available").asLong() == STOCK_PER_SKU);

        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
            try (KafkaProducer<String, Object> producer = registry.avro().producer()) {
                for (int i = 0; i < COMMANDS; i++) {
                    String customer = "c-" + (i % 2_000);
                    producer.send(new ProducerRecord<>(TopicCatalog.ORDERS_COMMANDS, TENANT + ":" + customer,
                            place(customer, i)));
                    if (i % 2_000 == 1_999) {
                        producer.flush();
                    }
                }
            }
        });
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
                answeredSoFar(api, apiKey) >= 3_000);
        processors.killHard();
        processes.restart(processors);
        producing.get(TIMEOUT.toMinutes(), TimeUnit.MINUTES);

        List<OrderEvent> events = registry.avro().read(TopicCatalog.ORDERS_EVENTS).timeout(TIMEOUT)
                .matching(record -> record.key().startsWith(TENANT + ":"))
                .awaitUntil("every order settled", records -> records.stream().filter(record -> settled(
                        ((OrderEvent) record.value()).getStatus())).count() >= COMMANDS).stream()
                .map(record -> (OrderEvent) record.value()).toList();
        assertThat(events.stream().map(OrderEvent::getEventId).distinct().count())
                .as("no event written twice").isEqualTo(events.size());
        Map<String, Long> settledPerCommand = events.stream().filter(event -> settled(event.getStatus()))
                .collect(Collectors.groupingBy(OrderEvent::getCommandId, Collectors.counting()));
        assertThat(settledPerCommand).hasSize(COMMANDS).allSatisfy((command, count) -> assertThat(count).isOne());
        assertThat(events).filteredOn(OrderEvent::getCommandRefused).isEmpty();

        Map<String, Long> reservedPerSku = new HashMap<>();
        events.stream().filter(event -> event.getStatus() == OrderStatus.PAYMENT_REQUESTED)
                .forEach(event -> reservedPerSku.merge(event.getItems().get(0).getSku(), 1L, Long::sum));
        for (int sku = 0; sku < SKUS; sku++) {
            long reserved = reservedPerSku.getOrDefault("sku-" + sku, 0L);
            JsonNode stock = Http.getJson(api + "/inventory/sku-" + sku, apiKey);
            assertThat(reserved).as("sku-%d is never oversold", sku).isLessThanOrEqualTo(STOCK_PER_SKU);
            assertThat(stock.path("reserved").asLong()).as("sku-%d: no reservation leaks", sku).isEqualTo(reserved);
            assertThat(stock.path("available").asLong() + stock.path("reserved").asLong())
                    .as("sku-%d: every unit is either available or reserved", sku).isEqualTo(STOCK_PER_SKU);
        }
        assertThat(reservedPerSku.values().stream().mapToLong(Long::longValue).sum())
                .as("the stock ran out: some orders were unavailable").isEqualTo(SKUS * STOCK_PER_SKU);
    }

    private static boolean settled(OrderStatus status) {
        return status == OrderStatus.PAYMENT_REQUESTED || status == OrderStatus.INVENTORY_UNAVAILABLE
                || status == OrderStatus.REJECTED;
    }

    private static OrderCommand place(String customer, int i) {
        return OrderCommand.newBuilder().setEventId("e-" + i).setTenantId(TENANT).setSource("test")
                .setReceivedAt(Instant.now()).setCommandId("cmd-" + i).setType(OrderCommandType.PLACE)
                .setCustomerId(customer).setOrderId("o-" + i).setCurrency("EUR")
                .setItems(List.of(new OrderItem("sku-" + (i % SKUS), 1, 1_000L, null))).build();
    }

    /**
     * Units reserved so far over all SKUs, from the query API; 0 while it cannot answer. A query
     * that times out while the processors are busy with the burst is asked again, never a failure:
     * how fast they answer is not what this test is about.
     */
    private static long answeredSoFar(String api, String apiKey) {
        long reserved = 0;
        for (int sku = 0; sku < SKUS; sku++) {
            HttpResponse<String> stock = Http.get(api + "/inventory/sku-" + sku, apiKey);
            if (stock.statusCode() != 200) {
                return 0;
            }
            reserved += Http.json(stock).path("reserved").asLong();
        }
        return reserved;
    }

    private Path writeConfig(int port, int adminPort) throws IOException {
        Path config = dir.resolve("stream-processors.yml");
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(config, """
                kafka:
                  bootstrapServers: %s
                  streamsProperties:
                    commit.interval.ms: "100"
                registry:
                  url: %s
                applicationId: audit-normalizer-%s
                orders:
                  applicationId: order-processor-%s
                notifications:
                  enabled: false
                stateDir: %s
                keysFile: %s
                %s""".formatted(registry.bootstrapServers(), registry.url(), suffix, suffix, dir.resolve("state"),
                dir.resolve("keys.yml"), ServiceYaml.onLoopback(port, adminPort)));
        return config;
    }
}
