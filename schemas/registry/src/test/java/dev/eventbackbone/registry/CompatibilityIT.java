package dev.eventbackbone.registry;

import static dev.eventbackbone.registry.RegistryHttp.schemaBody;
import static dev.eventbackbone.registry.SchemaRegistryIT.assertError;
import static dev.eventbackbone.registry.TestSchemas.field;
import static dev.eventbackbone.registry.TestSchemas.fieldWithDefault;
import static dev.eventbackbone.registry.TestSchemas.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.registry.RegistryHttp.Reply;
import dev.eventbackbone.testing.TestServer;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

class CompatibilityIT {

    private static final String BASE = record("Order", field("id", "\"string\""), field("total", "\"long\""));
    private static final String PLUS_REQUIRED = record("Order", field("id", "\"string\""),
            field("total", "\"long\""), field("currency", "\"string\""));
    private static final String PLUS_OPTIONAL = record("Order", field("id", "\"string\""),
            field("total", "\"long\""), fieldWithDefault("currency", "\"string\"", "\"EUR\""));
    private static final String MINUS_REQUIRED = record("Order", field("id", "\"string\""));
    private static final String ID_AS_INT = record("Order", field("id", "\"int\""), field("total", "\"long\""));

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
    void backwardLetsNewReadersReadOldData() {
        setLevel(subject, "BACKWARD");
        assertRegistered(subject, BASE);
        assertRefused(subject, PLUS_REQUIRED);
        assertRegistered(subject, MINUS_REQUIRED);
    }

    @Test
    void forwardLetsOldReadersReadNewData() {
        setLevel(subject, "FORWARD");
        assertRegistered(subject, BASE);
        assertRefused(subject, MINUS_REQUIRED);
        assertRegistered(subject, PLUS_REQUIRED);
    }

    @Test
    void fullNeedsBothDirections() {
        setLevel(subject, "FULL");
        assertRegistered(subject, BASE);
        assertRefused(subject, PLUS_REQUIRED);
        assertRefused(subject, MINUS_REQUIRED);
        assertRegistered(subject, PLUS_OPTIONAL);
    }

    @Test
    void noneAcceptsAnyChange() {
        setLevel(subject, "NONE");
        assertRegistered(subject, BASE);
        assertRegistered(subject, ID_AS_INT);
        assertRegistered(subject, MINUS_REQUIRED);
    }

    @Test
    void transitiveChecksEveryEarlierVersionNotOnlyTheLatest() {
        String v1 = record("Account", field("balance", "\"string\""));
        String v2 = record("Account");
        String v3 = record("Account", fieldWithDefault("balance", "\"int\"", "0"));
        String latestOnly = subject + "-backward";
        String transitive = subject + "-transitive";
        setLevel(latestOnly, "BACKWARD");
        setLevel(transitive, "backward_transitive");
        for (String s : new String[] {latestOnly, transitive}) {
            assertRegistered(s, v1);
            assertRegistered(s, v2);
        }

        assertRegistered(latestOnly, v3);
        Reply refused = assertRefused(transitive, v3);
        assertThat(refused.json().path("message").asText()).contains("TYPE_MISMATCH", "BACKWARD_TRANSITIVE");
    }

    @Test
    void compatibilityEndpointAnswersWithoutRegistering() {
        assertThat(http.post("/compatibility/subjects/" + subject + "/versions/latest", schemaBody(BASE))
                .json().path("is_compatible").asBoolean()).as("nothing to be incompatible with").isTrue();
        assertRegistered(subject, BASE);

        Reply compatible = http.post("/compatibility/subjects/" + subject + "/versions/latest", schemaBody(PLUS_OPTIONAL));
        assertThat(compatible.status()).as(compatible.toString()).isEqualTo(200);
        assertThat(compatible.contentType()).startsWith(RegistryHttp.V1_JSON);
        assertThat(compatible.text()).isEqualTo("{\"is_compatible\":true}");

        Reply incompatible = http.post("/compatibility/subjects/" + subject + "/versions/1?verbose=true",
                schemaBody(PLUS_REQUIRED));
        assertThat(incompatible.json().path("is_compatible").asBoolean()).as(incompatible.toString()).isFalse();
        assertThat(incompatible.json().path("messages").toString()).contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThat(http.post("/compatibility/subjects/" + subject + "/versions", schemaBody(PLUS_REQUIRED))
                .text()).isEqualTo("{\"is_compatible\":false}");

        assertError(http.post("/compatibility/subjects/" + subject + "/versions/9", schemaBody(BASE)), 404, 40402, "9");
        assertError(http.post("/compatibility/subjects/" + subject + "-none/versions/1", schemaBody(BASE)),
                404, 40401, subject + "-none");
        assertThat(http.get("/subjects/" + subject + "/versions").json().toString()).isEqualTo("[1]");
    }

    @Test
    void subjectConfigCanBeSetReadAndFallsBackToGlobalOnlyWhenAsked() {
        assertError(http.get("/config/" + subject), 404, 40408, subject);
        assertThat(http.get("/config/" + subject + "?defaultToGlobal=true").text())
                .isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");

        Reply set = http.put("/config/" + subject, "{\"compatibility\": \"FULL_TRANSITIVE\"}");
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.text()).isEqualTo("{\"compatibility\":\"FULL_TRANSITIVE\"}");
        assertThat(http.get("/config/" + subject).text()).isEqualTo("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");

        assertError(http.put("/config/" + subject, "{\"compatibility\": \"SIDEWAYS\"}"), 422, 42203, "SIDEWAYS");
        assertError(http.put("/config", "{}"), 422, 42203, "null");
        assertThat(http.get("/config/" + subject).text()).isEqualTo("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");

        Reply removed = http.send(http.request("/config/" + subject).DELETE());
        assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
        assertThat(removed.text()).isEqualTo("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");
        assertError(http.get("/config/" + subject), 404, 40408, "global level applies");
        assertError(http.send(http.request("/config/" + subject).DELETE()), 404, 40408, subject);
    }

    @Test
    void globalConfigAppliesToSubjectsWithoutTheirOwn() {
        try (TestServer<SchemaRegistryConfiguration> own = RegistryExtension.start(registry.bootstrapServers(),
                "_schemas-global-config-it-" + UUID.randomUUID())) {
            RegistryHttp ownHttp = new RegistryHttp(own.url());
            assertThat(ownHttp.get("/config").text()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");

            Reply set = ownHttp.put("/config", "{\"compatibility\": \"NONE\"}");
            assertThat(set.status()).as(set.toString()).isEqualTo(200);
            assertThat(set.text()).isEqualTo("{\"compatibility\":\"NONE\"}");
            assertThat(ownHttp.get("/config").text()).isEqualTo("{\"compatibilityLevel\":\"NONE\"}");

            assertThat(ownHttp.post("/subjects/free/versions", schemaBody(BASE)).status()).isEqualTo(200);
            assertThat(ownHttp.post("/subjects/free/versions", schemaBody(ID_AS_INT)).status()).isEqualTo(200);

            ownHttp.put("/config/strict", "{\"compatibility\": \"BACKWARD\"}");
            assertThat(ownHttp.post("/subjects/strict/versions", schemaBody(BASE)).status()).isEqualTo(200);
            assertThat(ownHttp.post("/subjects/strict/versions", schemaBody(ID_AS_INT)).status()).isEqualTo(409);
        }
    }

    private static void setLevel(String subject, String level) {
        Reply set = http.put("/config/" + subject, RegistryHttp.json(Map.of("compatibility", level)));
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
    }

    private static void assertRegistered(String subject, String schema) {
        Reply reply = http.post("/subjects/" + subject + "/versions", schemaBody(schema));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    }

    private static Reply assertRefused(String subject, String schema) {
        Reply reply = http.post("/subjects/" + subject + "/versions", schemaBody(schema));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(409);
        assertThat(reply.errorCode()).isEqualTo(409);
        return reply;
    }
}
