package dev.eventbackbone.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.events.AuditActor;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.embeddedkafka.KafkaRecords;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every answer of the ingest contract, from real HTTP requests to a gateway on the real broker. */
@ExtendWith(EmbeddedKafkaExtension.class)
class GatewayIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    static TestServer<IngestGatewayConfiguration> gateway;
    static String acmeKey;
    static String acmeAuditOnlyKey;
    static String globexKey;
    static String tinyKey;

    @BeforeAll
    static void start() {
        TopicProvisioner.provisionCatalog(registry.bootstrapServers());
        Path keys = dir.resolve("keys.yml");
        acmeKey = ApiKeyStore.create(keys, "acme", List.of("ingest:*"), "billing-api").secret();
        acmeAuditOnlyKey = ApiKeyStore.create(keys, "acme", List.of("ingest:audit"), null).secret();
        globexKey = ApiKeyStore.create(keys, "globex", List.of("ingest:*"), null).secret();
        tinyKey = ApiKeyStore.create(keys, "tiny", List.of("ingest:*"), null).secret();
        IngestGatewayConfiguration configuration =
                GatewayConfigurations.forTest(registry.bootstrapServers(), registry.url(), keys);
        configuration.getRateLimits().getTenants().put("tiny", new IngestGatewayConfiguration.RateLimit(1, 2));
        configuration.getLimits().setMaxBatchEvents(20);
        gateway = TestServer.start(IngestGatewayApplication.class, configuration);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static String login(String actor) {
        return "{\"action\":\"user.login\",\"actor\":{\"id\":\"" + actor + "\",\"type\":\"user\"},"
                + "\"resource\":{\"type\":\"session\",\"id\":\"s-1\"},\"outcome\":\"success\"}";
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static List<ConsumerRecord<String, Object>> recordsWithIds(String topic, List<String> eventIds) {
        return registry.avro().read(topic).matching(record -> eventIds.contains(KafkaRecords.header(record, "event-id")))
                .timeout(TIMEOUT).awaitAtLeast(eventIds.size());
    }

    @Test
    void acceptedEventIsOnItsTopicWithKeyHeadersAndTenantAndDecodesWithOurSerde() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        HttpResponse<String> response = gateway.post("/v1/events/audit", acmeKey, login("u-42"),
                "traceparent", traceparent);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode body = json(response);
        String eventId = body.get("eventId").asText();
        assertThat(UUID.fromString(eventId).version()).isEqualTo(7);
        assertThat(body.get("topic").asText()).isEqualTo("audit.raw");
        assertThat(body.has("spooled")).isFalse();

        ConsumerRecord<String, Object> record = recordsWithIds("audit.raw", List.of(eventId)).get(0);
        assertThat(record.partition()).isEqualTo(body.get("partition").asInt());
        assertThat(record.offset()).isEqualTo(body.get("offset").asLong());
        assertThat(record.key()).isEqualTo("acme:u-42");
        assertThat(KafkaRecords.header(record, "tenant")).isEqualTo("acme");
        assertThat(KafkaRecords.header(record, "source")).isEqualTo("billing-api");
        assertThat(KafkaRecords.header(record, "traceparent")).isEqualTo(traceparent);
        AuditRawEvent event = (AuditRawEvent) record.value();
        assertThat(event.getEventId()).isEqualTo(eventId);
        assertThat(event.getTenantId()).isEqualTo("acme");
        assertThat(event.getSource()).isEqualTo("billing-api");
        assertThat(event.getTraceparent()).isEqualTo(traceparent);
        assertThat(((AuditActor) event.getActor()).getId()).isEqualTo("u-42");
        assertThat(event.getReceivedAt().toEpochMilli()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
    }

    @Test
    void bodyNamingTheKeysOwnTenantIsAcceptedAndAnotherTenantIsRefused() throws Exception {
        String own = "{\"tenantId\":\"acme\"," + login("u-1").substring(1);
        assertThat(gateway.post("/v1/events/audit", acmeKey, own).statusCode()).isEqualTo(202);

        String foreign = "{\"tenantId\":\"globex\"," + login("u-1").substring(1);
        HttpResponse<String> response = gateway.post("/v1/events/audit", acmeKey, foreign);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).get("error").asText()).isEqualTo("tenant_mismatch");
        assertThat(json(response).at("/details/0/field").asText()).isEqualTo("tenantId");
    }

    @Test
    void eventStampedWithTheKeysTenantEvenWhenAnotherKeyPostsTheSameBody() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/events/audit", globexKey, login("u-7"));
        assertThat(response.statusCode()).isEqualTo(202);
        String eventId = json(response).get("eventId").asText();
        ConsumerRecord<String, Object> record = recordsWithIds("audit.raw", List.of(eventId)).get(0);
        assertThat(((AuditRawEvent) record.value()).getTenantId()).isEqualTo("globex");
        assertThat(record.key()).isEqualTo("globex:u-7");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/events/..%2f..%2fadmin", "/v1/events/audit%00"})
    void everyAnswerIsTheJsonErrorBodyEvenForPathsJettyRefusesItself(String path) {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .header("Authorization", "Bearer " + acmeKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(login("u-1"))));

        assertThat(response.statusCode()).as(response.body()).isBetween(400, 404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/json"));
        JsonNode body = Http.json(response);
        assertThat(body.path("error").asText()).isNotBlank();
        assertThat(body.path("message").asText()).isNotBlank();
        assertThat(body.has("details")).isTrue();
    }

    @Test
    void aBadBatchItemIsRecordedOnIngestRejectedExactlyAsItWasReceived() {
        String bad = "{ \"action\" : \"user.login\",\n  \"actor\": {\"id\": \"u-9\", \"type\": \"user\"},"
                + " \"marker\": \"as-received-4d1e\" }";
        HttpResponse<String> response = gateway.post("/v1/events/audit/batch", acmeKey,
                "{\"events\": [" + login("u-8") + ",  " + bad + "]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(207);

        RejectedEvent rejection = registry.avro().deadLetters(TopicCatalog.INGEST_REJECTED)
                .matching(record -> new String(record.value().getOriginalValue().array()).contains("as-received-4d1e"))
                .timeout(TIMEOUT).awaitAtLeast(1).get(0).value();
        assertThat(new String(rejection.getOriginalValue().array())).isEqualTo(bad);
    }

    @Test
    void batchOfTenWithOneBadEventAcceptsNineAndReportsTheBadOneByIndex() throws Exception {
        StringBuilder batch = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 10; i++) {
            batch.append(i == 0 ? "" : ",");
            batch.append(i == 6
                    ? "{\"commandId\":\"c-6\",\"type\":\"PLACE\",\"customerId\":\"cust-1\",\"currency\":\"EUR\","
                      + "\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPriceMinor\":100},{\"sku\":\"b\",\"quantity\":1,"
                      + "\"unitPriceMinor\":100},{\"sku\":\"c\",\"quantity\":\"two\",\"unitPriceMinor\":100}]}"
                    : "{\"commandId\":\"c-" + i + "\",\"type\":\"PLACE\",\"customerId\":\"cust-1\",\"currency\":\"EUR\","
                      + "\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPriceMinor\":100}]}");
        }
        batch.append("]}");

        HttpResponse<String> response = gateway.post("/v1/events/orders/batch", acmeKey, batch.toString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(207);
        JsonNode body = json(response);
        assertThat(body.get("accepted").asInt()).isEqualTo(9);
        assertThat(body.get("rejected").asInt()).isEqualTo(1);
        List<String> acceptedIds = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            JsonNode result = body.get("results").get(i);
            assertThat(result.get("index").asInt()).isEqualTo(i);
            if (i == 6) {
                assertThat(result.get("status").asInt()).isEqualTo(422);
                assertThat(result.at("/details/0/field").asText()).isEqualTo("items[2].quantity");
                assertThat(result.at("/details/0/problem").asText()).isEqualTo("expected int, got string");
            } else {
                assertThat(result.get("status").asInt()).isEqualTo(202);
                acceptedIds.add(result.get("eventId").asText());
            }
        }
        List<ConsumerRecord<String, Object>> records = recordsWithIds("orders.commands", acceptedIds);
        assertThat(records).hasSize(9).allSatisfy(record -> assertThat(record.key()).isEqualTo("acme:cust-1"));
        assertThat(records.stream().map(record -> ((OrderCommand) record.value()).getCommandId()))
                .containsExactly("c-0", "c-1", "c-2", "c-3", "c-4", "c-5", "c-7", "c-8", "c-9");
    }

    @Test
    void schemaViolationsNameEveryFieldPathAndLandOnIngestRejected() throws Exception {
        String bad = "{\"action\":\"user.login\",\"actor\":{\"type\":\"user\"},\"resource\":{\"type\":\"session\"},"
                + "\"colour\":\"blue\"}";
        HttpResponse<String> response = gateway.post("/v1/events/audit", acmeKey, bad);

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode body = json(response);
        assertThat(body.get("error").asText()).isEqualTo("schema_violation");
        List<String> details = new ArrayList<>();
        body.get("details").forEach(detail -> details.add(detail.get("field").asText() + ": "
                + detail.get("problem").asText()));
        assertThat(details).contains("actor.id: required", "resource.id: required", "colour: unknown field");
        assertThat(body.get("message").asText()).contains("audit schema");

        RejectedEvent rejection = registry.avro().deadLetters(TopicCatalog.INGEST_REJECTED)
                .matching(record -> new String(record.value().getOriginalValue().array()).equals(bad))
                .timeout(TIMEOUT).awaitAtLeast(1).get(0).value();
        assertThat(rejection.getTenantId()).isEqualTo("acme");
        assertThat(rejection.getStream()).isEqualTo("audit");
        assertThat(rejection.getReasonCode().name()).isEqualTo("SCHEMA_VIOLATION");
    }

    @Test
    void malformedJsonIs400WithTheLocation() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/events/audit", acmeKey, "{\"action\": ");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).isEqualTo("malformed_json");
        assertThat(json(response).get("message").asText()).contains("line 1");
    }

    @Test
    void missingAndUnknownKeysAre401() throws Exception {
        HttpResponse<String> missing = gateway.post("/v1/events/audit", null, login("u-1"));
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(json(missing).get("error").asText()).isEqualTo("missing_api_key");

        HttpResponse<String> unknown = gateway.post("/v1/events/audit", "ebk_not-a-key", login("u-1"));
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(json(unknown).get("error").asText()).isEqualTo("unknown_api_key");
        assertThat(unknown.body()).doesNotContain("ebk_not-a-key");
    }

    @Test
    void keyWithoutTheStreamsScopeIs403() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/events/orders", acmeAuditOnlyKey,
                "{\"commandId\":\"c\",\"type\":\"CANCEL\",\"customerId\":\"x\",\"orderId\":\"o\"}");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).get("error").asText()).isEqualTo("forbidden");
        assertThat(json(response).get("message").asText()).contains("ingest:orders");
    }

    @Test
    void unknownStreamIs404() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/events/payments", acmeKey, "{}");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").asText()).isEqualTo("unknown_stream");
        assertThat(json(response).get("message").asText()).contains("audit", "orders", "inventory", "notifications", "preferences", "analytics");
    }

    @Test
    void oversizedEventAndOverlongBatchAre413() throws Exception {
        String big = "{\"name\":\"page_view\",\"properties\":{\"pad\":\"" + "x".repeat(70_000) + "\"}}";
        HttpResponse<String> event = gateway.post("/v1/events/analytics", acmeKey, big);
        assertThat(event.statusCode()).isEqualTo(413);
        assertThat(json(event).get("error").asText()).isEqualTo("too_large");
        assertThat(event.headers().firstValue("Connection")).as("the unread body ends the connection").hasValue("close");

        StringBuilder batch = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 21; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"name\":\"e\"}");
        }
        HttpResponse<String> tooMany = gateway.post("/v1/events/analytics/batch", acmeKey, batch + "]}");
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(json(tooMany).get("message").asText()).contains("at most 20 events");
    }

    @Test
    void aRefusalThatLeavesTheBodyUnreadEndsTheConnectionAndTheNextRequestIsAnswered() throws Exception {
        String big = "{\"name\":\"page_view\",\"properties\":{\"pad\":\"" + "x".repeat(60_000) + "\"}}";
        HttpResponse<String> refused = gateway.post("/v1/events/analytics", "ebk_not-a-key", big);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Connection")).hasValue("close");

        HttpResponse<String> next = gateway.post("/v1/events/audit", acmeKey, login("u-1"));
        assertThat(next.statusCode()).isEqualTo(202);
        assertThat(next.headers().firstValue("Connection")).as("an answered body keeps the connection").isEmpty();
    }

    @Test
    void nonJsonContentTypeIs415() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/events/audit", acmeKey, login("u-1"),
                "Content-Type", "text/plain");
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(json(response).get("error").asText()).isEqualTo("unsupported_media_type");
    }

    @Test
    void tenantOverItsRateLimitGets429WithRetryAfter() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> limited = null;
        for (int i = 0; i < 5 && limited == null; i++) {
            HttpResponse<String> response = gateway.post("/v1/events/analytics", tinyKey, "{\"name\":\"tick\"}");
            statuses.add(response.statusCode());
            if (response.statusCode() == 429) {
                limited = response;
            }
        }
        assertThat(limited).as("statuses %s", statuses).isNotNull();
        assertThat(statuses.get(0)).isEqualTo(202);
        assertThat(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow())).isPositive();
        assertThat(json(limited).get("error").asText()).isEqualTo("rate_limited");
    }

    @Test
    void retryWithTheSameIdempotencyKeyAnswersTheOriginalResult() throws Exception {
        String key = "checkout-" + UUID.randomUUID();
        HttpResponse<String> first = gateway.post("/v1/events/analytics", acmeKey, "{\"name\":\"checkout\"}",
                "Idempotency-Key", key);
        HttpResponse<String> retry = gateway.post("/v1/events/analytics", acmeKey, "{\"name\":\"checkout\"}",
                "Idempotency-Key", key);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        String eventId = json(first).get("eventId").asText();
        assertThat(eventId).isEqualTo(EventIds.fromIdempotencyKey("acme", key));

        HttpResponse<String> reused = gateway.post("/v1/events/analytics", acmeKey, "{\"name\":\"other\"}",
                "Idempotency-Key", key);
        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(json(reused).get("error").asText()).isEqualTo("idempotency_key_reused");
    }

    @Test
    void streamsListsEveryStreamWithItsSchema() throws Exception {
        HttpResponse<String> response = gateway.get("/v1/streams", acmeKey);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode streams = json(response);
        assertThat(streams).extracting(stream -> stream.get("name").asText())
                .containsExactly("audit", "orders", "inventory", "notifications", "preferences", "analytics");
        assertThat(streams.get(2).get("key").asText()).isEqualTo("tenant + sku");
        assertThat(streams.get(1).get("topic").asText()).isEqualTo("orders.commands");
        assertThat(streams.get(1).at("/schema/name").asText()).isEqualTo("OrderCommand");
        assertThat(gateway.get("/v1/streams", null).statusCode()).isEqualTo(401);
    }

    @Test
    void adminPortServesPrometheusMetricsAndHealth() throws Exception {
        gateway.post("/v1/events/analytics", acmeKey, "{\"name\":\"metric-check\"}");
        HttpResponse<String> metrics = gateway.admin("/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("ingest_events_accepted_total{spooled=\"false\",stream=\"analytics\"}")
                .contains("ingest_produce_latency_seconds_bucket")
                .contains("ingest_in_flight_bytes");

        HttpResponse<String> health = gateway.admin("/healthcheck");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(json(health).at("/kafka/healthy").asBoolean()).isTrue();
        assertThat(json(health).at("/schema-registry/healthy").asBoolean()).isTrue();
        HttpResponse<String> ready = gateway.admin("/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(json(ready).at("/checks/kafka/healthy").asBoolean()).isTrue();
        assertThat(json(ready).path("notNeededToServe").toString()).isEqualTo("[\"schema-registry\"]");
    }
}
