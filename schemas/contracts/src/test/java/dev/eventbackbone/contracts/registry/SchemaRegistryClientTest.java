package dev.eventbackbone.contracts.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.embeddedkafka.FreePorts;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Configuration and the retry loop against loopback ports where nothing listens; no registry involved. */
class SchemaRegistryClientTest {

    @Test
    void refusesToStartWithoutAUrl() {
        assertThatThrownBy(() -> SchemaRegistryClient.fromConfig(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url")
                .hasMessageContaining("http://127.0.0.1:8081");
    }

    @Test
    void refusesAUrlThatIsNotHttp() {
        assertThatThrownBy(() -> SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", "127.0.0.1:8081")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("127.0.0.1:8081")
                .hasMessageContaining("http://");
    }

    @Test
    void refusesBasicAndBearerAuthTogether() {
        assertThatThrownBy(() -> SchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", "http://127.0.0.1:8081",
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "app:secret",
                "bearer.auth.token", "token")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bearer.auth.token")
                .hasMessageContaining("basic.auth.user.info");
    }

    @Test
    void refusesUserInfoWithoutAPassword() {
        assertThatThrownBy(() -> SchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", "http://127.0.0.1:8081", "basic.auth.user.info", "app")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("user:password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("app"));
    }

    @Test
    void refusesAnUnknownCredentialsSource() {
        assertThatThrownBy(() -> SchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", "http://127.0.0.1:8081", "basic.auth.credentials.source", "SASL_INHERIT")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SASL_INHERIT");
    }

    @Test
    void refusesAMissingTrustStore() {
        assertThatThrownBy(() -> SchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", "https://127.0.0.1:8081",
                "schema.registry.ssl.truststore.location", "/nonexistent/truststore.jks",
                "schema.registry.ssl.truststore.password", "changeit")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/nonexistent/truststore.jks");
    }

    @Test
    void triesEveryUrlOnEachAttemptAndGivesUpAfterTheRetriesWithBackoff() {
        String first = "http://127.0.0.1:" + FreePorts.next();
        String second = "http://127.0.0.1:" + FreePorts.next();
        SchemaRegistryClient client = SchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", first + "," + second,
                "schema.registry.max.retries", "2",
                "schema.registry.retry.backoff.ms", "50"));

        long started = System.nanoTime();
        assertThatThrownBy(client::subjects)
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(SchemaRegistryException.NO_RESPONSE);
                    assertThat(e.getMessage()).contains(first + "/subjects", second + "/subjects");
                    assertThat(e.url()).isIn(first + "/subjects", second + "/subjects");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }

    @Test
    void withoutRetriesFailsAfterOneRoundOfUrls() {
        String url = "http://127.0.0.1:" + FreePorts.next();
        SchemaRegistryClient client = SchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", url, "schema.registry.max.retries", "0",
                "schema.registry.retry.backoff.ms", "60000"));

        assertThatThrownBy(() -> client.schemaById(1))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.url()).isEqualTo(url + "/schemas/ids/1"));
    }
}
