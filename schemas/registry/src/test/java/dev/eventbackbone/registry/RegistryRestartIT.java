package dev.eventbackbone.registry;

import static dev.eventbackbone.registry.RegistryHttp.schemaBody;
import static dev.eventbackbone.registry.TestSchemas.field;
import static dev.eventbackbone.registry.TestSchemas.fieldWithDefault;
import static dev.eventbackbone.registry.TestSchemas.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventbackbone.embeddedkafka.EmbeddedKafkaCluster;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.registry.RegistryHttp.Reply;
import dev.eventbackbone.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class RegistryRestartIT {

    private static final String V1 = record("Payment", field("id", "\"string\""));
    private static final String V2 = record("Payment", field("id", "\"string\""),
            fieldWithDefault("note", "\"string\"", "\"\""));

    @Test
    void restartedRegistryKeepsIdsVersionsAndConfig(EmbeddedKafkaCluster kafka) {
        String topic = "_schemas-restart-it-" + UUID.randomUUID();
        int v1Id;
        int v2Id;
        try (TestServer<SchemaRegistryConfiguration> first = RegistryExtension.start(kafka.bootstrapServers(), topic)) {
            RegistryHttp http = new RegistryHttp(first.url());
            v1Id = register(http, "payments-value", V1);
            v2Id = register(http, "payments-value", V2);
            assertThat(register(http, "refunds-value", V1)).isEqualTo(v1Id);
            assertThat(http.put("/config/payments-value", "{\"compatibility\": \"FULL\"}").status()).isEqualTo(200);
        }

        try (TestServer<SchemaRegistryConfiguration> second = RegistryExtension.start(kafka.bootstrapServers(), topic)) {
            RegistryHttp http = new RegistryHttp(second.url());
            assertThat(http.get("/subjects").json().toString()).isEqualTo("[\"payments-value\",\"refunds-value\"]");
            assertThat(http.get("/subjects/payments-value/versions").json().toString()).isEqualTo("[1,2]");
            assertThat(http.get("/subjects/payments-value/versions/2").json().path("id").asInt()).isEqualTo(v2Id);
            assertThat(http.get("/subjects/refunds-value/versions/1").json().path("id").asInt()).isEqualTo(v1Id);
            assertThat(parse(http.get("/schemas/ids/" + v1Id).json().path("schema").asText())).isEqualTo(parse(V1));
            assertThat(http.get("/config/payments-value").text()).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");

            assertThat(register(http, "payments-value", V1)).isEqualTo(v1Id);
            int fresh = register(http, "receipts-value", record("Receipt", field("id", "\"string\"")));
            assertThat(fresh).isEqualTo(Math.max(v1Id, v2Id) + 1);
        }
    }

    @Test
    void twoInstancesOnOneTopicConvergeAndNeverShareAnId(EmbeddedKafkaCluster kafka) throws Exception {
        String topic = "_schemas-converge-it-" + UUID.randomUUID();
        try (TestServer<SchemaRegistryConfiguration> a = RegistryExtension.start(kafka.bootstrapServers(), topic);
             TestServer<SchemaRegistryConfiguration> b = RegistryExtension.start(kafka.bootstrapServers(), topic)) {
            RegistryHttp httpA = new RegistryHttp(a.url());
            RegistryHttp httpB = new RegistryHttp(b.url());

            int onA = register(httpA, "shared-value", V1);
            awaitSchema(httpB, onA, V1);
            assertThat(register(httpB, "shared-value", V1)).isEqualTo(onA);
            int onB = register(httpB, "shared-value", V2);
            assertThat(onB).isEqualTo(onA + 1);
            awaitSchema(httpA, onB, V2);
            assertThat(httpA.get("/subjects/shared-value/versions").json().toString()).isEqualTo("[1,2]");

            List<String> schemas = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                schemas.add(record("Race" + i, field("id", "\"string\"")));
            }
            ExecutorService pool = Executors.newFixedThreadPool(schemas.size());
            List<Integer> ids = new ArrayList<>();
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> registrations = new ArrayList<>();
                for (int i = 0; i < schemas.size(); i++) {
                    RegistryHttp via = i % 2 == 0 ? httpA : httpB;
                    String schema = schemas.get(i);
                    String subject = "race-" + i + "-value";
                    registrations.add(pool.submit(() -> {
                        go.await();
                        return register(via, subject, schema);
                    }));
                }
                go.countDown();
                for (Future<Integer> registration : registrations) {
                    ids.add(registration.get(90, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }

            assertThat(new HashSet<>(ids)).as("ids %s", ids).hasSize(schemas.size()).doesNotContain(onA, onB);
            for (int i = 0; i < schemas.size(); i++) {
                awaitSchema(httpA, ids.get(i), schemas.get(i));
                awaitSchema(httpB, ids.get(i), schemas.get(i));
            }
            assertThat(httpA.get("/subjects").json()).hasSize(schemas.size() + 1);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(httpB.get("/subjects").text()).isEqualTo(httpA.get("/subjects").text()));
        }
    }

    private static void awaitSchema(RegistryHttp http, int id, String schema) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Reply reply = http.get("/schemas/ids/" + id);
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            assertThat(parse(reply.json().path("schema").asText())).isEqualTo(parse(schema));
        });
    }

    private static int register(RegistryHttp http, String subject, String schema) {
        Reply reply = http.post("/subjects/" + subject + "/versions", schemaBody(schema));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json().path("id").asInt();
    }

    private static Schema parse(String schema) {
        return new Schema.Parser().parse(schema);
    }
}
