package dev.eventbackbone.registry;

import static dev.eventbackbone.registry.RegistryHttp.schemaBody;
import static dev.eventbackbone.registry.TestSchemas.field;
import static dev.eventbackbone.registry.TestSchemas.fieldWithDefault;
import static dev.eventbackbone.registry.TestSchemas.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.registry.RegistryHttp.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

class SchemaRegistryIT {

    private static final String USER_V1 = record("User", field("id", "\"string\""));
    private static final String USER_V2 = record("User", field("id", "\"string\""),
            fieldWithDefault("email", "[\"null\", \"string\"]", "null"));
    private static final String USER_WITH_REQUIRED_AGE = record("User", field("id", "\"string\""),
            field("age", "\"int\""));

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();
    private static RegistryHttp http;

    private String subject;

    @BeforeAll
    static void connect() {
        http = new RegistryHttp(registry.url());
    }

    @BeforeEach
    void nameSubject(TestInfo test) {
        subject = test.getTestMethod().orElseThrow().getName() + "-value";
    }

    @Test
    void registersAndServesSchemaByIdVersionAndLatest() {
        Reply registered = http.post("/subjects/" + subject + "/versions", schemaBody(USER_V1));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(200);
        assertThat(registered.contentType()).startsWith(RegistryHttp.V1_JSON);
        int id = registered.json().path("id").asInt();
        assertThat(id).isPositive();

        Reply byId = http.get("/schemas/ids/" + id);
        assertThat(byId.status()).isEqualTo(200);
        assertThat(parse(byId.json().path("schema").asText())).isEqualTo(parse(USER_V1));

        assertThat(http.get("/subjects/" + subject + "/versions").json().toString()).isEqualTo("[1]");
        for (String version : List.of("1", "latest", "-1")) {
            Reply byVersion = http.get("/subjects/" + subject + "/versions/" + version);
            assertThat(byVersion.status()).as(byVersion.toString()).isEqualTo(200);
            JsonNode body = byVersion.json();
            assertThat(body.path("subject").asText()).isEqualTo(subject);
            assertThat(body.path("version").asInt()).isEqualTo(1);
            assertThat(body.path("id").asInt()).isEqualTo(id);
            assertThat(parse(body.path("schema").asText())).isEqualTo(parse(USER_V1));
        }

        Reply raw = http.get("/subjects/" + subject + "/versions/1/schema");
        assertThat(raw.status()).isEqualTo(200);
        assertThat(parse(raw.text())).isEqualTo(parse(USER_V1));

        Reply lookedUp = http.post("/subjects/" + subject, schemaBody(USER_V1));
        assertThat(lookedUp.status()).as(lookedUp.toString()).isEqualTo(200);
        assertThat(lookedUp.json().path("id").asInt()).isEqualTo(id);
        assertThat(lookedUp.json().path("version").asInt()).isEqualTo(1);
        assertThat(lookedUp.json().path("subject").asText()).isEqualTo(subject);

        assertThat(http.get("/subjects").json()).extracting(JsonNode::asText).contains(subject);
        assertThat(http.get("/schemas/ids/" + id + "/versions").json().toString())
                .isEqualTo("[{\"subject\":\"" + subject + "\",\"version\":1}]");
        assertThat(http.get("/schemas/ids/" + id + "/subjects").json().toString())
                .isEqualTo("[\"" + subject + "\"]");
    }

    @Test
    void identicalSchemaGetsTheSameIdEverywhereAndNoNewVersion() {
        int id = register(subject, USER_V1);
        String sameSchemaOtherLayout = USER_V1.replace(", ", ",\n      ").replace(": ", ":");

        assertThat(register(subject, sameSchemaOtherLayout)).isEqualTo(id);
        assertThat(http.get("/subjects/" + subject + "/versions").json().toString()).isEqualTo("[1]");

        assertThat(register(subject + "-other", USER_V1)).isEqualTo(id);
        assertThat(http.get("/subjects/" + subject + "-other/versions/latest").json().path("version").asInt())
                .isEqualTo(1);

        int v2 = register(subject, USER_V2);
        assertThat(v2).isNotEqualTo(id);
        assertThat(register(subject, USER_V1)).as("an earlier version is not re-versioned").isEqualTo(id);
        assertThat(http.get("/subjects/" + subject + "/versions").json().toString()).isEqualTo("[1,2]");
    }

    @Test
    void twentyConcurrentRegistrationsOfOneSchemaGetOneId() throws Exception {
        String schema = record("Concurrent", field("id", "\"string\""));
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Callable<Reply> registration = () -> {
                    go.await();
                    return http.post("/subjects/" + subject + "/versions", schemaBody(schema));
                };
                replies.add(pool.submit(registration));
            }
            go.countDown();
            List<Reply> answered = new ArrayList<>();
            for (Future<Reply> reply : replies) {
                answered.add(reply.get(60, TimeUnit.SECONDS));
            }
            assertThat(answered).allSatisfy(reply -> assertThat(reply.status()).as(reply.toString()).isEqualTo(200));
            Set<Integer> ids = answered.stream().map(r -> r.json().path("id").asInt()).collect(Collectors.toSet());
            assertThat(ids).hasSize(1);
            assertThat(http.get("/subjects/" + subject + "/versions").json().toString()).isEqualTo("[1]");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void incompatibleChangeIsRefusedWith409AndTheReason() {
        register(subject, USER_V1);

        Reply refused = http.post("/subjects/" + subject + "/versions", schemaBody(USER_WITH_REQUIRED_AGE));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith(RegistryHttp.V1_JSON);
        assertThat(refused.errorCode()).isEqualTo(409);
        assertThat(refused.json().path("message").asText())
                .contains(subject, "BACKWARD", "READER_FIELD_MISSING_DEFAULT_VALUE", "age");
        assertThat(http.get("/subjects/" + subject + "/versions").json().toString()).isEqualTo("[1]");

        register(subject, USER_V2);
        assertThat(http.get("/subjects/" + subject + "/versions").json().toString()).isEqualTo("[1,2]");
    }

    @Test
    void invalidSchemasAndBodiesAreRefused() {
        assertError(http.post("/subjects/" + subject + "/versions", schemaBody("{\"type\": \"record\"}")),
                422, 42201, "Invalid schema");
        assertError(http.post("/subjects/" + subject + "/versions", schemaBody("not json")), 422, 42201,
                "Invalid schema");
        assertError(http.post("/subjects/" + subject + "/versions", "{\"schemaType\": \"AVRO\"}"),
                422, 42201, "Empty schema");
        assertError(http.post("/subjects/" + subject + "/versions",
                        RegistryHttp.json(Map.of("schema", "syntax = \"proto3\";", "schemaType", "PROTOBUF"))),
                422, 42201, "PROTOBUF");
        assertError(http.post("/subjects/" + subject + "/versions", "{\"schema\": "), 400, 400, "not a JSON object");
        Reply explicitAvro = http.post("/subjects/" + subject + "/versions",
                RegistryHttp.json(Map.of("schema", USER_V1, "schemaType", "AVRO", "references", List.of())));
        assertThat(explicitAvro.status()).as(explicitAvro.toString()).isEqualTo(200);
    }

    @Test
    void unknownSubjectsVersionsAndIdsAreNotFound() {
        assertError(http.get("/subjects/" + subject + "/versions"), 404, 40401, subject);
        assertError(http.get("/subjects/" + subject + "/versions/latest"), 404, 40401, subject);
        assertError(http.post("/subjects/" + subject, schemaBody(USER_V1)), 404, 40401, subject);

        register(subject, USER_V1);
        assertError(http.get("/subjects/" + subject + "/versions/7"), 404, 40402, "Version 7");
        assertError(http.get("/subjects/" + subject + "/versions/abc"), 422, 42202, "abc");
        assertError(http.get("/subjects/" + subject + "/versions/0"), 422, 42202, "'0'");
        assertError(http.post("/subjects/" + subject, schemaBody(USER_V2)), 404, 40403, subject);
        assertError(http.get("/schemas/ids/987654"), 404, 40403, "987654");
        assertError(http.get("/schemas/ids/987654/versions"), 404, 40403, "987654");
    }

    @Test
    void deletesVersionsAndSubjectsSoftThenPermanently() {
        int v1 = register(subject, USER_V1);
        int v2 = register(subject, USER_V2);

        Reply softVersion = http.send(http.request("/subjects/" + subject + "/versions/2").DELETE());
        assertThat(softVersion.status()).as(softVersion.toString()).isEqualTo(200);
        assertThat(softVersion.text()).isEqualTo("2");
        assertThat(http.get("/subjects/" + subject + "/versions").text()).isEqualTo("[1]");
        assertThat(http.get("/subjects/" + subject + "/versions?deleted=true").text()).isEqualTo("[1,2]");
        assertThat(http.get("/schemas/ids/" + v2).status()).as("ids of soft-deleted versions resolve").isEqualTo(200);
        assertError(http.send(http.request("/subjects/" + subject + "/versions/2").DELETE()), 404, 40406, "soft deleted");
        assertError(http.send(http.request("/subjects/" + subject + "/versions/1?permanent=true").DELETE()),
                404, 40407, "not deleted first");

        assertThat(http.send(http.request("/subjects/" + subject + "/versions/2?permanent=true").DELETE()).text())
                .isEqualTo("2");
        assertThat(http.get("/subjects/" + subject + "/versions?deleted=true").text()).isEqualTo("[1]");

        assertThat(http.send(http.request("/subjects/" + subject).DELETE()).text()).isEqualTo("[1]");
        assertError(http.get("/subjects/" + subject + "/versions"), 404, 40401, subject);
        assertThat(http.get("/subjects?subjectPrefix=" + subject).text()).isEqualTo("[]");
        assertThat(http.get("/subjects?deleted=true&subjectPrefix=" + subject).text()).isEqualTo("[\"" + subject + "\"]");
        assertError(http.send(http.request("/subjects/" + subject).DELETE()), 404, 40404, "soft deleted");

        assertThat(http.send(http.request("/subjects/" + subject + "?permanent=true").DELETE()).text()).isEqualTo("[1]");
        assertThat(http.get("/subjects?deleted=true&subjectPrefix=" + subject).text()).isEqualTo("[]");
        assertError(http.send(http.request("/subjects/" + subject).DELETE()), 404, 40401, subject);

        assertThat(register(subject, USER_V1)).as("a schema keeps its id after its subject is gone").isEqualTo(v1);
        assertThat(http.get("/subjects/" + subject + "/versions").text()).isEqualTo("[1]");
    }

    @Test
    void unknownEndpointsAndWrongRequestsAnswerInTheErrorEnvelope() {
        Reply associations = http.get("/associations/subjects/" + subject + "/resourceTypes");
        assertThat(associations.status()).isEqualTo(404);
        assertThat(associations.contentType()).startsWith(RegistryHttp.V1_JSON);
        assertThat(associations.errorCode()).isEqualTo(404);
        assertThat(associations.json().path("message").asText())
                .contains("GET /associations/subjects/" + subject + "/resourceTypes", "not an endpoint");

        assertError(http.send(http.request("/schemas/types").DELETE()), 405, 405, "DELETE /schemas/types");
        assertError(http.send(http.request("/subjects/" + subject + "/versions")
                .method("PATCH", HttpRequest.BodyPublishers.noBody())), 405, 405, "PATCH");
        assertError(http.get("/schemas/ids/not-a-number"), 404, 404, "/schemas/ids/not-a-number");
        assertError(http.send(http.request("/subjects/" + subject + "/versions")
                .setHeader("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(schemaBody(USER_V1)))), 415, 415, "Unsupported Media Type");
    }

    @Test
    void acceptsTheQueryParametersRealClientsSend() {
        Reply registered = http.post("/subjects/" + subject + "/versions?normalize=false", schemaBody(USER_V1));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(200);
        int id = registered.json().path("id").asInt();

        Reply byId = http.get("/schemas/ids/" + id + "?subject=" + subject + "&fetchMaxId=true");
        assertThat(byId.status()).isEqualTo(200);
        assertThat(byId.json().path("maxId").asInt()).isGreaterThanOrEqualTo(id);
        assertThat(http.get("/schemas/ids/" + id + "?fetchMaxId=false").json().has("maxId")).isFalse();

        Reply lookedUp = http.post("/subjects/" + subject + "?normalize=false&deleted=false&lookupDeletedSchema=false",
                schemaBody(USER_V1));
        assertThat(lookedUp.json().path("id").asInt()).as(lookedUp.toString()).isEqualTo(id);
        assertThat(http.get("/subjects/" + subject + "/versions/latest?deleted=false").json().path("id").asInt())
                .isEqualTo(id);
        assertThat(http.get("/subjects/" + subject + "/versions/1/schema?format=").status()).isEqualTo(200);
        assertThat(http.get("/subjects/" + subject + "/versions?deleted=true").json().toString()).isEqualTo("[1]");
        assertThat(http.get("/subjects?deleted=true&subjectPrefix=" + subject).json().toString())
                .isEqualTo("[\"" + subject + "\"]");
        assertThat(http.get("/config/" + subject + "?defaultToGlobal=true").json().path("compatibilityLevel").asText())
                .isEqualTo("BACKWARD");
    }

    @Test
    void speaksTheContentTypeTheClientAccepts() {
        Reply root = http.get("/");
        assertThat(root.status()).isEqualTo(200);
        assertThat(root.text()).isEqualTo("{}");
        assertThat(root.contentType()).isEqualTo(RegistryHttp.V1_JSON);

        Reply plainJson = http.send(http.request("/").setHeader("Accept", "application/json").GET());
        assertThat(plainJson.contentType()).startsWith("application/json");
        Reply anything = http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/schemas/types")).GET());
        assertThat(anything.contentType()).startsWith(RegistryHttp.V1_JSON);
        assertThat(anything.text()).isEqualTo("[\"AVRO\"]");

        Reply plainJsonBody = http.send(http.request("/subjects/" + subject + "/versions")
                .setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(schemaBody(USER_V1))));
        assertThat(plainJsonBody.status()).as(plainJsonBody.toString()).isEqualTo(200);
    }

    @Test
    void healthCheckReportsTheStoreCaughtUp() {
        Reply health = http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/admin/healthcheck")).GET());
        assertThat(health.status()).as(health.toString()).isEqualTo(200);
        assertThat(health.json().path("schemas-topic").path("healthy").asBoolean()).isTrue();
    }

    private static int register(String subject, String schema) {
        Reply reply = http.post("/subjects/" + subject + "/versions", schemaBody(schema));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json().path("id").asInt();
    }

    static void assertError(Reply reply, int status, int errorCode, String messagePart) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.contentType()).as(reply.toString()).startsWith(RegistryHttp.V1_JSON);
        assertThat(reply.errorCode()).as(reply.toString()).isEqualTo(errorCode);
        assertThat(reply.json().path("message").asText()).as(reply.toString()).contains(messagePart);
    }

    private static Schema parse(String schema) {
        return new Schema.Parser().parse(schema);
    }
}
