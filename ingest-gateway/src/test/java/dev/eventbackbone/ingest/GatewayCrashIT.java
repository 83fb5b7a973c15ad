package dev.eventbackbone.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaCluster;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.embeddedkafka.KafkaRecords;
import dev.eventbackbone.registry.RegistryExtension;
import dev.eventbackbone.testing.AvroRecords;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    private static final String BODY_MARKER = "only-in-the-body-7f3a";

    @TempDir
    Path dir;

    @Test
    void everySpooledEventReachesKafkaAfterKillMinusNineAndRestart() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().nodes(1).dataDir(dir.resolve("kafka")).start()) {
            String bootstrap = kafka.bootstrapServers();
            TopicProvisioner.provisionCatalog(bootstrap);
            String apiKey = ApiKeyStore.create(dir.resolve("keys.yml"), "acme", List.of("ingest:*"), null).secret();
            int port = FreePorts.next();
            int adminPort = FreePorts.next();
            Path config = writeConfig(bootstrap, port, adminPort);
            String url = "http://127.0.0.1:" + port;

            ServiceProcess gateway = processes.start(ServiceProcess.java(IngestGatewayApplication.class, "server",
                    config.toString()).log(dir.resolve("gateway.log"))
                    .readyWhenHealthy("http://127.0.0.1:" + adminPort + "/ping"));
            assertThat(post(url, apiKey, 0).statusCode()).isEqualTo(202);

            kafka.stopNode(0);
            Set<String> spooled = ConcurrentHashMap.newKeySet();
            ExecutorService clients = Executors.newFixedThreadPool(4);
            List<Future<?>> posting = new ArrayList<>();
            for (int client = 0; client < 4; client++) {
                int c = client;
                posting.add(clients.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        HttpResponse<String> response = post(url, apiKey, c * 1000 + i);
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                        JsonNode body = Http.json(response);
                        assertThat(body.get("spooled").asBoolean()).as(response.body()).isTrue();
                        spooled.add(body.get("eventId").asText());
                    }
                }));
            }
            clients.shutdown();
            for (Future<?> client : posting) {
                client.get(2, TimeUnit.MINUTES);
            }
            assertThat(spooled).hasSize(400);

            gateway.killHard();
            kafka.startNode(0);

            ServiceProcess restarted = processes.restart(gateway);
            new AvroRecords(bootstrap, registry.url()).read(TopicCatalog.ANALYTICS_EVENTS)
                    .matching(record -> spooled.contains(KafkaRecords.header(record, "event-id")))
                    .awaitAtLeast(400);
            restarted.stop();

            String logs = restarted.log();
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

    private static HttpResponse<String> post(String url, String apiKey, int n) {
        return Http.post(url + "/v1/events/analytics", apiKey, "{\"name\":\"crash-test\",\"userId\":\"u-" + (n % 7)
                + "\",\"properties\":{\"n\":\"" + n + "\",\"marker\":\"" + BODY_MARKER + "\"}}");
    }

    private static boolean isJsonObject(String line) {
        try {
            return Http.json(line).isObject();
        } catch (AssertionError notJson) {
            return false;
        }
    }
}
