package dev.eventbackbone.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaCluster;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.registry.SchemaRegistryConfiguration;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema registry is down when the gateway starts and again later: the gateway starts anyway,
 * keeps serving every stream whose schema id it has, answers 503 with Retry-After for the others,
 * and serves them again by itself once the registry is back.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class RegistryOutageIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String AUDIT = "{\"action\":\"user.login\",\"actor\":{\"id\":\"u-1\",\"type\":\"user\"},"
            + "\"resource\":{\"type\":\"session\",\"id\":\"s-1\"}}";
    private static final String ANALYTICS = "{\"name\":\"page_view\"}";

    @TempDir
    Path dir;

    @Test
    void cachedStreamsKeepServingTheOthersAnswer503AndEverythingRecoversWithTheRegistry(EmbeddedKafkaCluster kafka) {
        TopicProvisioner.provisionCatalog(kafka.bootstrapServers());
        String apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), "acme", List.of("ingest:*"), null).secret();
        int registryPort = FreePorts.next();
        String schemasTopic = "_schemas-outage-" + UUID.randomUUID();
        IngestGatewayConfiguration configuration = GatewayConfigurations.forTest(kafka.bootstrapServers(),
                "http://127.0.0.1:" + registryPort, dir.resolve("keys.yml"));
        configuration.getRegistry().setClientProperties(Map.of("schema.registry.max.retries", "0"));

        try (TestServer<IngestGatewayConfiguration> gateway = TestServer.start(IngestGatewayApplication.class,
                configuration)) {
            HttpResponse<String> whileDown = gateway.post("/v1/events/audit", apiKey, AUDIT);
            assertUnavailable(whileDown);

            try (TestServer<SchemaRegistryConfiguration> registry =
                         RegistryExtension.start(kafka.bootstrapServers(), schemasTopic, registryPort)) {
                Awaitility.await("the gateway serving audit again").atMost(TIMEOUT)
                        .until(() -> gateway.post("/v1/events/audit", apiKey, AUDIT).statusCode() == 202);
            }

            assertThat(gateway.post("/v1/events/audit", apiKey, AUDIT).statusCode())
                    .as("a stream whose schema id the gateway holds needs no registry").isEqualTo(202);
            assertUnavailable(gateway.post("/v1/events/analytics", apiKey, ANALYTICS));

            try (TestServer<SchemaRegistryConfiguration> back =
                         RegistryExtension.start(kafka.bootstrapServers(), schemasTopic, registryPort)) {
                Awaitility.await("the gateway serving analytics once the registry is back").atMost(TIMEOUT)
                        .until(() -> gateway.post("/v1/events/analytics", apiKey, ANALYTICS).statusCode() == 202);
            }
        }
    }

    private static void assertUnavailable(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(Http.json(response).path("error").asText()).isEqualTo("registry_unavailable");
    }
}
