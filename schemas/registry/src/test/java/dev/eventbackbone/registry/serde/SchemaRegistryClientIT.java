package dev.eventbackbone.registry.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.contracts.registry.RegisteredSchema;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.registry.SchemaRegistryException;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.registry.RegistryHttp;
import dev.eventbackbone.testing.Http;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Our registry client against the real registry over HTTP. */
class SchemaRegistryClientIT {

    private static final Schema USER_V1 = new Schema.Parser().parse("""
            {"type": "record", "name": "User", "namespace": "dev.eventbackbone.clientit",
             "fields": [{"name": "id", "type": "string"}]}""");
    private static final Schema USER_V2 = new Schema.Parser().parse("""
            {"type": "record", "name": "User", "namespace": "dev.eventbackbone.clientit",
             "fields": [{"name": "id", "type": "string"},
                        {"name": "email", "type": ["null", "string"], "default": null}]}""");
    private static final Schema USER_WITH_REQUIRED_AGE = new Schema.Parser().parse("""
            {"type": "record", "name": "User", "namespace": "dev.eventbackbone.clientit",
             "fields": [{"name": "id", "type": "string"}, {"name": "age", "type": "int"}]}""");

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();
    private static SchemaRegistryClient client;

    private String subject;

    @BeforeAll
    static void connect() {
        client = SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", registry.url()));
    }

    @BeforeEach
    void nameSubject(TestInfo test) {
        subject = test.getTestMethod().orElseThrow().getName() + "-value";
    }

    @Test
    void registersLooksUpAndReadsSchemasBack() {
        int id = client.register(subject, USER_V1);

        assertThat(client.register(subject, USER_V1)).isEqualTo(id);
        assertThat(client.lookup(subject, USER_V1)).contains(new RegisteredSchema(subject, 1, id, USER_V1));
        assertThat(client.lookup(subject, USER_V2)).isEmpty();
        assertThat(client.lookup("unknown-" + subject, USER_V1)).isEmpty();
        assertThat(SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", registry.url())).schemaById(id))
                .isEqualTo(USER_V1);

        int id2 = client.register(subject, USER_V2);
        assertThat(id2).isNotEqualTo(id);
        assertThat(client.latest(subject)).isEqualTo(new RegisteredSchema(subject, 2, id2, USER_V2));
        assertThat(client.version(subject, 1)).isEqualTo(new RegisteredSchema(subject, 1, id, USER_V1));
        assertThat(client.versions(subject)).containsExactly(1, 2);
        assertThat(client.subjects()).contains(subject);
    }

    @Test
    void checksCompatibilityUnderTheSubjectsLevel() {
        client.register(subject, USER_V1);

        assertThat(client.compatibility()).isEqualTo("BACKWARD");
        assertThat(client.compatibility(subject)).isEqualTo("BACKWARD");
        assertThat(client.isCompatible(subject, USER_V2)).isTrue();
        assertThat(client.isCompatible(subject, USER_WITH_REQUIRED_AGE)).isFalse();
        assertThat(client.isCompatible("new-" + subject, USER_WITH_REQUIRED_AGE)).isTrue();

        client.setCompatibility(subject, "NONE");

        assertThat(client.compatibility(subject)).isEqualTo("NONE");
        assertThat(client.isCompatible(subject, USER_WITH_REQUIRED_AGE)).isTrue();
        assertThat(client.compatibility()).isEqualTo("BACKWARD");
    }

    @Test
    void errorsCarryStatusErrorCodeAndUrl() {
        client.register(subject, USER_V1);

        assertThatThrownBy(() -> client.register(subject, USER_WITH_REQUIRED_AGE))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(409);
                    assertThat(e.url()).isEqualTo(registry.url() + "/subjects/" + subject + "/versions");
                });
        assertThatThrownBy(() -> client.latest("unknown-" + subject))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND);
                });
        assertThatThrownBy(() -> client.version(subject, 7))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.VERSION_NOT_FOUND));
    }

    @Test
    void failsOverFromAnUnreachableUrlToTheNext() {
        String dead = "http://127.0.0.1:" + FreePorts.next();
        SchemaRegistryClient failingOver = SchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", dead + "," + registry.url(),
                "schema.registry.max.retries", "0"));

        int id = failingOver.register(subject, USER_V1);

        assertThat(failingOver.subjects()).contains(subject);
        assertThat(new RegistryHttp(registry.url()).idOf(subject, USER_V1.toString())).isEqualTo(id);
    }

    @Test
    void doesNotRetryANotFound() {
        SchemaRegistryClient patient = SchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", registry.url(),
                "schema.registry.max.retries", "3",
                "schema.registry.retry.backoff.ms", "5000"));

        long notFoundBefore = notFoundAnswers();
        assertThatThrownBy(() -> patient.schemaById(987_654))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
                    assertThat(e.url()).isEqualTo(registry.url() + "/schemas/ids/987654");
                    assertThat(e.getMessage()).contains("40403");
                });
        assertThat(notFoundAnswers() - notFoundBefore).as("requests the registry answered 404").isEqualTo(1);
    }

    /** How many 4xx answers the registry gave so far, from its own request metrics. */
    private static long notFoundAnswers() {
        return Http.getJson(registry.adminUrl() + "/metrics", null)
                .at("/meters/io.dropwizard.jetty.MutableServletContextHandler.4xx-responses/count").asLong();
    }
}
