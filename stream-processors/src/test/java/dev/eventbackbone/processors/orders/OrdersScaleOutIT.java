package dev.eventbackbone.processors.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.events.InventoryUpdate;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.OrderCommandType;
import dev.eventbackbone.contracts.events.OrderItem;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.processors.StreamProcessorsApplication;
import dev.eventbackbone.processors.StreamProcessorsConfiguration;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processor instances share the order topology's partitions; either answers for every customer
 * by forwarding to the instance holding the key, a query naming a command never sees a state older
 * than it, and once one instance is gone the other answers for everybody.
 */
class OrdersScaleOutIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension().onItsOwnBroker();

    private static final String TENANT = "scale-" + UUID.randomUUID().toString().substring(0, 8);
    private static final int CUSTOMERS = 40;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    private TestServer<StreamProcessorsConfiguration> first;
    private TestServer<StreamProcessorsConfiguration> second;

    @AfterEach
    void stop() {
        for (TestServer<?> instance : new TestServer<?>[] {first, second}) {
            if (instance != null) {
                instance.close();
            }
        }
    }

    @Test
    void eitherInstanceAnswersForEveryCustomerAndNeverWithAStateOlderThanTheCommandItNames() throws Exception {
        TopicProvisioner.provisionCatalog(registry.bootstrapServers());
        String apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), TENANT, List.of("read:orders"), null).secret();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        first = TestServer.start(StreamProcessorsApplication.class, configuration("a", suffix));
        second = TestServer.start(StreamProcessorsApplication.class, configuration("b", suffix));

        Map<String, String> afterByCustomer = new LinkedHashMap<>();
        try (KafkaProducer<String, Object> producer = registry.avro().producer()) {
            producer.send(new ProducerRecord<>(TopicCatalog.INVENTORY_UPDATES, TENANT + ":mug",
                    InventoryUpdate.newBuilder().setEventId("stock").setTenantId(TENANT).setSource("test")
                            .setReceivedAt(Instant.now()).setSku("mug").setAvailable(1_000L).build())).get();
            for (int c = 0; c < CUSTOMERS; c++) {
                String customer = "c-" + c;
                RecordMetadata written = producer.send(new ProducerRecord<>(TopicCatalog.ORDERS_COMMANDS,
                        TENANT + ":" + customer, place(customer))).get();
                afterByCustomer.put(customer, written.partition() + ":" + written.offset());
            }
        }

        Set<String> servedBy = new HashSet<>();
        for (TestServer<StreamProcessorsConfiguration> asked : List.of(first, second)) {
            for (Map.Entry<String, String> customer : afterByCustomer.entrySet()) {
                String path = "/v1/customers/" + customer.getKey() + "/orders/o-" + customer.getKey() + "?after="
                        + customer.getValue();
                JsonNode order = Awaitility.await().atMost(TIMEOUT).until(() -> answer(asked, path, apiKey),
                        answer -> answer != null);
                assertThat(order.path("status").asText()).as(order.toString())
                        .isIn("VALIDATED", "INVENTORY_RESERVED", "PAYMENT_REQUESTED");
                servedBy.add(order.path("servedBy").asText());
            }
        }
        assertThat(servedBy).as("each instance holds some customers").containsExactlyInAnyOrder(first.url(),
                second.url());

        first.close();
        first = null;
        for (Map.Entry<String, String> customer : afterByCustomer.entrySet()) {
            String path = "/v1/customers/" + customer.getKey() + "/orders?after=" + customer.getValue();
            JsonNode orders = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> answer(second, path,
                    apiKey), answer -> answer != null);
            assertThat(orders.path("orders")).hasSize(1);
            assertThat(orders.path("servedBy").asText()).isEqualTo(second.url());
        }
    }

    /** The answer when 200; null while the instance says to retry (503 during a rebalance). */
    private static JsonNode answer(TestServer<?> instance, String path, String apiKey) {
        HttpResponse<String> response = instance.get(path, apiKey);
        if (response.statusCode() == 503) {
            return null;
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Http.json(response);
    }

    private StreamProcessorsConfiguration configuration(String name, String suffix) {
        StreamProcessorsConfiguration configuration = new StreamProcessorsConfiguration()
                .embeddedOnLoopback(FreePorts.next(), 0);
        configuration.getKafka().setBootstrapServers(registry.bootstrapServers());
        configuration.getKafka().setStreamsProperties(Map.of("num.standby.replicas", "1",
                "commit.interval.ms", "100", "num.stream.threads", "1"));
        configuration.getRegistry().setUrl(registry.url());
        configuration.setApplicationId("audit-normalizer-" + suffix);
        configuration.getOrders().setApplicationId("order-processor-" + suffix);
        configuration.getNotifications().setEnabled(false);
        configuration.setStateDir(dir.resolve("state-" + name));
        configuration.setKeysFile(dir.resolve("keys.yml"));
        return configuration;
    }

    private static OrderCommand place(String customer) {
        return OrderCommand.newBuilder().setEventId("e-" + customer).setTenantId(TENANT).setSource("test")
                .setReceivedAt(Instant.now()).setCommandId("place-" + customer).setType(OrderCommandType.PLACE)
                .setCustomerId(customer).setOrderId("o-" + customer).setCurrency("EUR")
                .setItems(List.of(new OrderItem("mug", 1, 500L, null))).build();
    }
}
