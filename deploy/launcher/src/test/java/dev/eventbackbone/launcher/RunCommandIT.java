package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaCluster;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every service started as the container image starts it, one process each, after {@code backbone
 * provision} prepared a Kafka cluster they did not start: {@code backbone run <service> --config
 * <the repository's YAML>}, configured only by environment variables, each YAML one that {@code deploy/container/Containerfile} puts
 * in the image. An event posted to the gateway is then counted by analytics.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class RunCommandIT {

    private static final Path REPOSITORY = Path.of("..", "..");
    private static final Path CONTAINERFILE = REPOSITORY.resolve("deploy/container/Containerfile");

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void everyServiceStartsFromItsYamlAndTheEnvironmentAlone(EmbeddedKafkaCluster kafka) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        int registryPort = FreePorts.next();
        String registryUrl = "http://127.0.0.1:" + registryPort;
        run("registry", "schemas/registry/registry.yml", registryUrl + "/admin/ready", Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrap, "REGISTRY_PORT", String.valueOf(registryPort),
                "SCHEMAS_TOPIC", "_schemas-run-" + registryPort));
        ServiceProcess.Completed provisioned = LauncherProcess.command(dir.resolve("provision.log"), List.of(
                "provision", "--bootstrap-servers", bootstrap, "--registry-url", registryUrl))
                .run(LauncherProcess.COMMAND_TIMEOUT);
        assertThat(provisioned.exitCode()).as(provisioned.output()).isZero();
        assertThat(provisioned.output()).contains("subjects  " + TopicCatalog.all().size() + " registered");
        Path keys = dir.resolve("keys.yml");
        String tenant = "run-" + registryPort;
        ServiceProcess.Completed created = LauncherProcess.command(dir.resolve("keys.log"), List.of("keys", "create",
                "--tenant", tenant, "--scopes", "ingest:*,read:*", "--keys-file", keys.toString()))
                .run(LauncherProcess.COMMAND_TIMEOUT);
        assertThat(created.exitCode()).as(created.output()).isZero();
        String key = created.output().lines().map(String::trim).filter(line -> line.startsWith("ebk_"))
                .findFirst().orElseThrow();
        Path signingKey = dir.resolve("audit-store/signing-key.pem");
        assertThat(LauncherProcess.command(dir.resolve("keygen.log"), List.of("audit", "keygen", "--out",
                signingKey.toString())).run(LauncherProcess.COMMAND_TIMEOUT).exitCode()).isZero();

        int gatewayPort = FreePorts.next();
        run("gateway", "ingest-gateway/gateway.yml", null, Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "SCHEMA_REGISTRY_URL", registryUrl, "GATEWAY_KEYS_FILE", keys.toString(),
                "GATEWAY_SPOOL_DIR", dir.resolve("spool").toString(), "GATEWAY_PORT", String.valueOf(gatewayPort),
                "GATEWAY_ADMIN_PORT", "%ADMIN%"));
        run("processors", "stream-processors/stream-processors.yml", null, Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "SCHEMA_REGISTRY_URL", registryUrl, "BACKBONE_KEYS_FILE", keys.toString(),
                "PROCESSORS_STATE_DIR", dir.resolve("processors").toString(),
                "PROCESSORS_PORT", String.valueOf(FreePorts.next()), "PROCESSORS_ADMIN_PORT", "%ADMIN%"));
        run("audit-store", "audit-store/audit-store.yml", null, Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "SCHEMA_REGISTRY_URL", registryUrl, "BACKBONE_KEYS_FILE", keys.toString(),
                "AUDIT_STORE_DATA", dir.resolve("audit-store/data").toString(),
                "AUDIT_STORE_SIGNING_KEY", signingKey.toString(),
                "AUDIT_STORE_KEY_HISTORY", dir.resolve("audit-store/key-history.jsonl").toString(),
                "AUDIT_STORE_PORT", String.valueOf(FreePorts.next()), "AUDIT_STORE_ADMIN_PORT", "%ADMIN%"));
        int analyticsPort = FreePorts.next();
        run("analytics", "analytics-rollups/analytics-rollups.yml", null, Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "SCHEMA_REGISTRY_URL", registryUrl, "BACKBONE_KEYS_FILE", keys.toString(),
                "ANALYTICS_STATE_DIR", dir.resolve("analytics").toString(),
                "ANALYTICS_PORT", String.valueOf(analyticsPort), "ANALYTICS_ADMIN_PORT", "%ADMIN%"));

        Instant now = Instant.now();
        assertThat(Http.post("http://127.0.0.1:" + gatewayPort + "/v1/events/analytics", key,
                "{\"name\":\"run_check\",\"userId\":\"u-1\",\"occurredAt\":\"" + now + "\"}").statusCode()).isEqualTo(202);
        String series = "http://127.0.0.1:" + analyticsPort + "/v1/analytics/summary?name=run_check&from="
                + now.minus(Duration.ofMinutes(1)) + "&to=" + now.plus(Duration.ofMinutes(1));
        Awaitility.await("the event counted by analytics").atMost(Duration.ofMinutes(2)).ignoreExceptions()
                .until(() -> Http.getJson(series, key).path("count").asLong() == 1);
    }

    /**
     * {@code backbone run <service> --config <yaml>} with this environment, ready when it answers
     * {@code /ready} as the chart's readiness probe asks it (on the admin port, {@code %ADMIN%} in
     * the environment, unless a URL is given).
     */
    private void run(String service, String yaml, String readyUrl, Map<String, String> environment) throws IOException {
        assertThat(Files.readString(CONTAINERFILE)).as("the image holds the YAML %s is run with", service)
                .contains(yaml);
        int adminPort = FreePorts.next();
        Map<String, String> resolved = new HashMap<>();
        environment.forEach((name, value) -> resolved.put(name, value.equals("%ADMIN%") ? String.valueOf(adminPort) : value));
        processes.start(LauncherProcess.run(dir.resolve(service + ".log"), service, REPOSITORY.resolve(yaml), resolved,
                readyUrl != null ? readyUrl : "http://127.0.0.1:" + adminPort + "/ready"));
    }
}
