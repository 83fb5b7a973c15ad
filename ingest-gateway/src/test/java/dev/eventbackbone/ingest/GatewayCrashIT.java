package dev.eventbackbone.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaCluster;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.registry.RegistryExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway in its own JVM spools events while its broker is down, is killed with SIGKILL, and
 * once restarted delivers every event it had answered 202 spooled.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class GatewayCrashIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String BODY_MARKER = "only-in-the-body-7f3a";

    @TempDir
    Path dir;

    @Test
    void everySpooledEventReachesKafkaAfterKillMinusNineAndRestart() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().nodes(1).dataDir(dir.resolve("kafka")).start()) {
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                TopicProvisioner.forCluster(admin).provision(TopicCatalog.all());
            }
            String apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), "acme", List.of("ingest:*"), null).secret();
            int port = freePort();
            int adminPort = freePort();
            Path config = writeConfig(bootstrap, port, adminPort);
            String url = "http://127.0.0.1:" + port;

            Process first = startGateway(config, "first.log");
            awaitHealthy(adminPort, first);
            assertThat(post(url, apiKey, 0).statusCode()).isEqualTo(202);

            kafka.stopNode(0);
            Set<String> spooled = ConcurrentHashMap.newKeySet();
            List<Thread> clients = new ArrayList<>();
            for (int client = 0; client < 4; client++) {
                int c = client;
                Thread thread = new Thread(() -> {
                    for (int i = 0; i < 100; i++) {
                        HttpResponse<String> response = post(url, apiKey, c * 1000 + i);
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                        JsonNode body = read(response.body());
                        assertThat(body.get("spooled").asBoolean()).as(response.body()).isTrue();
                        spooled.add(body.get("eventId").asText());
                    }
                });
                thread.start();
                clients.add(thread);
            }
            for (Thread client : clients) {
                client.join(Duration.ofMinutes(2).toMillis());
            }
            assertThat(spooled).hasSize(400);

            first.toHandle().destroyForcibly();
            first.waitFor();
            kafka.startNode(0);

            Process second = startGateway(config, "second.log");
            try {
                awaitHealthy(adminPort, second);
                TopicRecords.await(bootstrap, registry.url(), TopicCatalog.ANALYTICS_EVENTS,
                        record -> spooled.contains(TopicRecords.header(record, "event-id")), 400,
                        Duration.ofSeconds(60));
            } finally {
                second.toHandle().destroy();
                second.waitFor();
            }

            String logs = Files.readString(dir.resolve("first.log")) + Files.readString(dir.resolve("second.log"));
            assertThat(logs).doesNotContain(apiKey).doesNotContain(BODY_MARKER);
            // logback-access prints its own status notes (versions found) as plain text when the request log starts.
            List<String> lines = logs.lines()
                    .filter(line -> !line.isBlank() && !line.matches("^[0-9:,]+ \\|-(INFO|WARN) in LogbackAccessRequestLog - .*"))
                    .toList();
            assertThat(lines).isNotEmpty();
            assertThat(lines).allSatisfy(line -> assertThat(isJsonObject(line)).as("a JSON log line: %s", line).isTrue());
            assertThat(logs).contains("\"uri\":\"/v1/events/analytics\"");
        }
    }

    private Path writeConfig(String bootstrap, int port, int adminPort) throws IOException {
        Path config = dir.resolve("gateway.yml");
        Files.writeString(config, """
                kafka:
                  bootstrapServers: %s
                  producerProperties:
                    request.timeout.ms: "1000"
                    delivery.timeout.ms: "3000"
                registry:
                  url: %s
                keysFile: %s
                spool:
                  enabled: true
                  directory: %s
                server:
                  applicationConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %d
                  adminConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %d
                  requestLog:
                    appenders:
                      - type: console
                        layout:
                          type: access-json
                logging:
                  level: INFO
                  loggers:
                    org.apache.kafka: ERROR
                  appenders:
                    - type: console
                      layout:
                        type: json
                """.formatted(bootstrap, registry.url(), dir.resolve("keys.yml"), dir.resolve("spool"), port, adminPort));
        return config;
    }

    private Process startGateway(Path config, String logFile) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.eventbackbone",
                // The test classpath holds several logback-test.xml; logback's note about that is not the gateway's log.
                "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                "-cp", System.getProperty("java.class.path"),
                IngestGatewayApplication.class.getName(), "server", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(logFile).toFile())
                .start();
    }

    private static void awaitHealthy(int adminPort, Process gateway) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    assertThat(gateway.isAlive()).as("gateway process alive").isTrue();
                    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ping"))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                });
    }

    private static HttpResponse<String> post(String url, String apiKey, int n) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/events/analytics"))
                    .header("Authorization", "Bearer " + apiKey)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"crash-test\",\"userId\":\"u-" + (n % 7)
                            + "\",\"properties\":{\"n\":\"" + n + "\",\"marker\":\"" + BODY_MARKER + "\"}}",
                            StandardCharsets.UTF_8))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean isJsonObject(String line) {
        try {
            return JSON.readTree(line).isObject();
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
