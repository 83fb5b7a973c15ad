package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicSpec;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Runs the packaged launcher jar as {@code ./backbone up} does and looks at what it started. */
class BackboneUpIT {

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    @Test
    void upStartsBrokerAndRegistryWithEveryCatalogTopicAndSubjectRefusesBusyPortsAndKeepsDataAcrossRestart() throws Exception {
        Path dataDir = dir.resolve("data");
        LauncherProcess.Ports ports = LauncherProcess.Ports.free();
        List<String> args = ports.upArgs(dataDir);
        String registry = "http://127.0.0.1:" + ports.registry();
        Set<String> catalogTopics = TopicCatalog.all().stream().map(TopicSpec::name).collect(Collectors.toSet());

        Map<String, Integer> idsBeforeRestart;
        String devKey;
        ServiceProcess up = processes.start(LauncherProcess.up(dir.resolve("up.log"), args));
        assertThat(up.log()).contains("127.0.0.1:" + ports.kafka()).contains(registry);
        assertThat(listTopics(ports.kafka())).containsAll(catalogTopics);
        assertThat(subjects(registry)).containsAll(catalogTopics.stream().map(topic -> topic + "-value").toList());
        idsBeforeRestart = latestIds(registry, catalogTopics);
        devKey = devKey(up.log());
        HttpResponse<String> accepted = postEvent(ports.gateway(), devKey);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(Http.json(accepted).get("topic").asText()).isEqualTo("analytics.events");

        ServiceProcess.Completed refused = LauncherProcess.command(dir.resolve("refused.log"), args)
                .run(LauncherProcess.COMMAND_TIMEOUT);
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
        assertThat(refused.output()).contains("port " + ports.kafka() + " on 127.0.0.1 is already in use", "--kafka-port");
        LauncherProcess.stopCleanly(up);
        assertThat(Files.isDirectory(dataDir.resolve("kafka"))).isTrue();

        int firstRunLength = up.log().length();
        ServiceProcess again = processes.restart(up);
        String secondRun = again.log().substring(firstRunLength);
        assertThat(secondRun).contains("0 created now");
        assertThat(latestIds(registry, catalogTopics)).isEqualTo(idsBeforeRestart);
        assertThat(devKey(secondRun)).isEqualTo(devKey);

        ServiceProcess.Completed created = LauncherProcess.command(dir.resolve("keys.log"), List.of("keys", "create",
                "--tenant", "acme", "--scopes", "ingest:audit,ingest:orders", "--data-dir", dataDir.toString()))
                .run(LauncherProcess.COMMAND_TIMEOUT);
        assertThat(created.exitCode()).as(created.output()).isZero();
        String acmeKey = created.output().lines().map(String::trim).filter(line -> line.startsWith("ebk_"))
                .findFirst().orElseThrow();
        assertThat(Files.readString(dataDir.resolve("gateway/keys.yml"))).doesNotContain(acmeKey).contains("acme");
        // The running gateway picks the new key up without a restart; it may post audit events only.
        Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> postEvent(ports.gateway(), acmeKey).statusCode() == 403);
        LauncherProcess.stopCleanly(again);
    }

    private static String devKey(String output) {
        List<String> lines = output.lines().toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).startsWith("Development API key")) {
                return lines.get(i + 1).trim();
            }
        }
        throw new AssertionError("no development API key in the output:\n" + output);
    }

    private static HttpResponse<String> postEvent(int gatewayPort, String apiKey) {
        return Http.post("http://127.0.0.1:" + gatewayPort + "/v1/events/analytics", apiKey,
                "{\"name\":\"launcher-check\"}");
    }

    @Test
    void servicesStartsOnlyTheServicesItNames() {
        LauncherProcess.Ports ports = LauncherProcess.Ports.free();
        List<String> args = ports.upArgs(dir.resolve("gateway-only"));
        args.addAll(List.of("--services", "gateway"));
        ServiceProcess up = processes.start(LauncherProcess.up(dir.resolve("gateway-only.log"), args));

        assertThat(up.log()).contains("ingest gateway", "not started      processors, audit-store, analytics (--services)")
                .doesNotContain("Merkle-tree logs in");
        assertThat(postEvent(ports.gateway(), devKey(up.log())).statusCode()).isEqualTo(202);
        assertThatThrownBy(() -> Http.get("http://127.0.0.1:" + ports.auditStore() + "/v1/audit/keys", null))
                .as("no audit store listens").isInstanceOf(UncheckedIOException.class);
        LauncherProcess.stopCleanly(up);
    }

    @Test
    void helpDocumentsTheFlags() {
        ServiceProcess.Completed help = LauncherProcess.command(dir.resolve("help.log"), List.of("up", "--help"))
                .run(LauncherProcess.COMMAND_TIMEOUT);
        assertThat(help.exitCode()).as(help.output()).isZero();
        assertThat(help.output()).contains("--data-dir", "--kafka-port", "--registry-port", "--gateway-port",
                "--gateway-admin-port", "--processors-admin-port", "--audit-store-port", "--audit-store-admin-port",
                "--bootstrap-servers", "--registry-url", "--client-config", "--services");
    }

    private static Set<String> listTopics(int kafkaPort) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> subjects(String registry) {
        List<String> subjects = new ArrayList<>();
        Http.getJson(registry + "/subjects", null).forEach(subject -> subjects.add(subject.asText()));
        return subjects;
    }

    private static Map<String, Integer> latestIds(String registry, Set<String> topics) {
        Map<String, Integer> ids = new TreeMap<>();
        for (String topic : topics) {
            JsonNode latest = Http.getJson(registry + "/subjects/" + topic + "-value/versions/latest", null);
            ids.put(topic, latest.get("id").asInt());
        }
        return ids;
    }
}
