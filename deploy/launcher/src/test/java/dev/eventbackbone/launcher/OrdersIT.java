package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.contracts.events.OrderStatus;
import dev.eventbackbone.testing.AvroRecords;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Order processing end to end, as a shop meets it after {@code backbone up}: stock and commands
 * posted to the gateway over HTTP, the order topology on the real broker, answers read back from
 * {@code orders.events} and from the query API.
 */
class OrdersIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    private LauncherProcess.Ports ports;
    private ServiceProcess up;
    private String key;
    private AvroRecords avro;

    @BeforeEach
    void upWithEveryService() throws Exception {
        Path dataDir = dir.resolve("data");
        ports = LauncherProcess.Ports.free();
        up = processes.start(LauncherProcess.up(dir.resolve("up.log"), ports.upArgs(dataDir)));
        key = Files.readString(dataDir.resolve("gateway/dev-api-key")).trim();
        avro = new AvroRecords("127.0.0.1:" + ports.kafka(), "http://127.0.0.1:" + ports.registry());
    }

    @AfterEach
    void stop() {
        LauncherProcess.stopCleanly(up);
    }

    @Test
    void aFlashSaleSellsExactlyTheStockAndCancelsReleaseIt() throws Exception {
        assertThat(post("inventory", "{\"sku\":\"tee\",\"available\":100}").statusCode()).isEqualTo(202);
        Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                Http.getJson(query("/v1/inventory/tee"), key).path("available").asLong() == 100);

        ExecutorService clients = Executors.newFixedThreadPool(50);
        try {
            List<Future<Integer>> posts = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                String body = "{\"commandId\":\"place-%d\",\"type\":\"PLACE\",\"customerId\":\"buyer-%d\",\"orderId\":\"o-%d\","
                        .formatted(i, i, i) + "\"currency\":\"EUR\",\"items\":[{\"sku\":\"tee\",\"quantity\":1,\"unitPriceMinor\":1999}]}";
                posts.add(clients.submit(() -> post("orders", body).statusCode()));
            }
            for (Future<Integer> status : posts) {
                assertThat(status.get()).isEqualTo(202);
            }
        } finally {
            clients.shutdownNow();
        }

        Map<OrderStatus, Long> outcomes = outcomes(avro.read(TopicCatalog.ORDERS_EVENTS).timeout(TIMEOUT)
                .awaitUntil("1,000 reservations answered", events -> answeredReservations(events) == 1_000));
        assertThat(outcomes.get(OrderStatus.PAYMENT_REQUESTED)).isEqualTo(100);
        assertThat(outcomes.get(OrderStatus.INVENTORY_UNAVAILABLE)).isEqualTo(900);
        JsonNode soldOut = Http.getJson(query("/v1/inventory/tee"), key);
        assertThat(soldOut.path("available").asLong()).isZero();
        assertThat(soldOut.path("reserved").asLong()).isEqualTo(100);

        List<String> paid = avro.read(TopicCatalog.ORDERS_EVENTS).awaitAtLeast(1).stream()
                .map(record -> (OrderEvent) record.value())
                .filter(event -> event.getStatus() == OrderStatus.PAYMENT_REQUESTED)
                .map(OrderEvent::getCustomerId).limit(10).toList();
        for (String customer : paid) {
            String order = "o-" + customer.substring("buyer-".length());
            assertThat(post("orders", "{\"commandId\":\"cancel-%s\",\"type\":\"CANCEL\",\"customerId\":\"%s\",\"orderId\":\"%s\"}"
                    .formatted(order, customer, order)).statusCode()).isEqualTo(202);
        }
        Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                Http.getJson(query("/v1/inventory/tee"), key).path("available").asLong() == 10);
        assertThat(Http.getJson(query("/v1/inventory/tee"), key).path("reserved").asLong()).isEqualTo(90);
    }

    @Test
    void eachCustomersCommandsAreAnsweredOnceInTheOrderTheGatewayAcceptedThem() throws Exception {
        assertThat(post("inventory", "{\"sku\":\"mug\",\"available\":100000}").statusCode()).isEqualTo(202);
        Map<String, List<String>> accepted = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int client = 0; client < 8; client++) {
                int first = client;
                work.add(clients.submit(() -> {
                    // Each client owns every 8th customer and posts that customer's commands one after another.
                    for (int round = 0; round < 3; round++) {
                        for (int c = first; c < 200; c += 8) {
                            String customer = "c-" + c;
                            String order = customer + "-o" + round;
                            postInOrder(accepted, customer, "place-" + order, "PLACE", order,
                                    ",\"currency\":\"EUR\",\"items\":[{\"sku\":\"mug\",\"quantity\":1,\"unitPriceMinor\":500}]");
                            postInOrder(accepted, customer, "pay-" + order, round == 1 ? "CANCEL" : "CONFIRM_PAYMENT",
                                    order, "");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> done : work) {
                done.get();
            }
        } finally {
            clients.shutdownNow();
        }
        int commands = accepted.values().stream().mapToInt(List::size).sum();
        assertThat(commands).isEqualTo(1_200);

        List<OrderEvent> events = avro.read(TopicCatalog.ORDERS_EVENTS).timeout(TIMEOUT)
                .awaitUntil("every command answered", records -> answered(records).size() == commands).stream()
                .map(record -> (OrderEvent) record.value()).toList();
        assertThat(events.stream().map(OrderEvent::getEventId).distinct().count()).as("no event twice")
                .isEqualTo(events.size());
        Map<String, List<String>> answeredInOrder = new LinkedHashMap<>();
        for (OrderEvent event : events) {
            List<String> answers = answeredInOrder.computeIfAbsent(event.getCustomerId(), c -> new ArrayList<>());
            if (!answers.contains(event.getCommandId())) {
                answers.add(event.getCommandId());
            }
        }
        assertThat(answeredInOrder).isEqualTo(accepted);
        assertThat(events).filteredOn(OrderEvent::getCommandRefused).isEmpty();
        assertThat(events.stream().filter(event -> event.getStatus() == OrderStatus.PAID).count()).isEqualTo(400);
        assertThat(events.stream().filter(event -> event.getStatus() == OrderStatus.CANCELLED).count()).isEqualTo(200);
    }

    @Test
    void aQueryNamingTheCommandReadsItsOwnWrite() {
        assertThat(post("inventory", "{\"sku\":\"cap\",\"available\":5}").statusCode()).isEqualTo(202);
        HttpResponse<String> placed = post("orders", "{\"commandId\":\"p-1\",\"type\":\"PLACE\",\"customerId\":\"ann\","
                + "\"orderId\":\"o-1\",\"currency\":\"EUR\",\"items\":[{\"sku\":\"cap\",\"quantity\":2,\"unitPriceMinor\":900}]}");
        JsonNode where = Http.json(placed);
        String after = where.path("partition").asInt() + ":" + where.path("offset").asLong();

        JsonNode order = answered(query("/v1/customers/ann/orders/o-1?after=" + after));

        assertThat(order.path("status").asText()).isIn("VALIDATED", "INVENTORY_RESERVED", "PAYMENT_REQUESTED");
        assertThat(order.path("totalMinor").asLong()).isEqualTo(1_800);
        assertThat(order.path("history").get(0).path("status").asText()).isEqualTo("ACCEPTED");
        JsonNode cancel = Http.json(post("orders",
                "{\"commandId\":\"c-1\",\"type\":\"CANCEL\",\"customerId\":\"ann\",\"orderId\":\"o-1\"}"));
        JsonNode afterCancel = answered(query("/v1/customers/ann/orders?after=" + cancel.path("partition").asInt()
                + ":" + cancel.path("offset").asLong()));
        assertThat(afterCancel.path("orders").get(0).path("status").asText()).isEqualTo("CANCELLED");
        HttpResponse<String> wrongPartition = Http.get(query("/v1/customers/ann/orders?after="
                + (cancel.path("partition").asInt() + 1) % 12 + ":0"), key);
        assertThat(wrongPartition.statusCode()).isEqualTo(400);
        assertThat(Http.json(wrongPartition).path("details").get(0).path("field").asText()).isEqualTo("after");
        assertThat(Http.get(query("/v1/customers/ann/orders/none"), key).statusCode()).isEqualTo(404);
        assertThat(Http.get(query("/v1/inventory/cap"), null).statusCode()).isEqualTo(401);
    }

    /** The 200 answer, asking again while the processors say to retry (503 while their tasks are assigned). */
    private JsonNode answered(String url) {
        HttpResponse<String> response = Awaitility.await().atMost(TIMEOUT).until(() -> Http.get(url, key),
                answer -> answer.statusCode() != 503);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Http.json(response);
    }

    private void postInOrder(Map<String, List<String>> accepted, String customer, String commandId, String type,
                             String order, String rest) {
        HttpResponse<String> response = post("orders", "{\"commandId\":\"%s\",\"type\":\"%s\",\"customerId\":\"%s\",\"orderId\":\"%s\"%s}"
                .formatted(commandId, type, customer, order, rest));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        accepted.computeIfAbsent(customer, c -> Collections.synchronizedList(new ArrayList<>())).add(commandId);
    }

    private static long answeredReservations(List<ConsumerRecord<String, Object>> records) {
        return records.stream().map(record -> ((OrderEvent) record.value()).getStatus())
                .filter(status -> status == OrderStatus.PAYMENT_REQUESTED || status == OrderStatus.INVENTORY_UNAVAILABLE)
                .count();
    }

    private static Map<OrderStatus, Long> outcomes(List<ConsumerRecord<String, Object>> records) {
        return records.stream().map(record -> ((OrderEvent) record.value()).getStatus())
                .collect(Collectors.groupingBy(status -> status, Collectors.counting()));
    }

    private static Set<String> answered(List<ConsumerRecord<String, Object>> records) {
        return records.stream().map(record -> ((OrderEvent) record.value()).getCommandId())
                .collect(Collectors.toSet());
    }

    private HttpResponse<String> post(String stream, String body) {
        return Http.post("http://127.0.0.1:" + ports.gateway() + "/v1/events/" + stream, key, body);
    }

    private String query(String path) {
        return "http://127.0.0.1:" + ports.processors() + path;
    }
}
