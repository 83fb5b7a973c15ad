package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicSpec;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the packaged launcher jar as {@code ./backbone up} does and looks at what it started. */
class BackboneUpIT {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void upStartsBrokerAndRegistryWithEveryCatalogTopicAndSubjectRefusesBusyPortsAndKeepsDataAcrossRestart() throws Exception {
        int kafkaPort = RunningLauncher.freePort();
        int controllerPort = RunningLauncher.freePort();
        int registryPort = RunningLauncher.freePort();
        int gatewayPort = RunningLauncher.freePort();
        List<String> args = List.of("up", "--data-dir", dataDir.toString(),
                "--kafka-port", String.valueOf(kafkaPort),
                "--controller-port", String.valueOf(controllerPort),
                "--registry-port", String.valueOf(registryPort),
                "--gateway-port", String.valueOf(gatewayPort),
                "--gateway-admin-port", String.valueOf(RunningLauncher.freePort()),
                "--processors-admin-port", String.valueOf(RunningLauncher.freePort()),
                "--audit-store-port", String.valueOf(RunningLauncher.freePort()),
                "--audit-store-admin-port", String.valueOf(RunningLauncher.freePort()));
        String registry = "http://127.0.0.1:" + registryPort;
        Set<String> catalogTopics = TopicCatalog.all().stream().map(TopicSpec::name).collect(Collectors.toSet());

        Map<String, Integer> idsBeforeRestart;
        String devKey;
        try (RunningLauncher launcher = RunningLauncher.start(args)) {
            assertThat(launcher.output()).contains("127.0.0.1:" + kafkaPort).contains(registry);
            assertThat(listTopics(kafkaPort)).containsAll(catalogTopics);
            assertThat(subjects(registry)).containsAll(
                    catalogTopics.stream().map(topic -> topic + "-value").toList());
            idsBeforeRestart = latestIds(registry, catalogTopics);
            devKey = devKey(launcher.output());
            HttpResponse<String> accepted = postEvent(gatewayPort, devKey);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            assertThat(JSON.readTree(accepted.body()).get("topic").asText()).isEqualTo("analytics.events");

            Process second = new ProcessBuilder(RunningLauncher.javaCommand(args)).redirectErrorStream(true).start();
            String refusal = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(refusal).isEqualTo(1);
            assertThat(refusal).contains("port " + kafkaPort + " on 127.0.0.1 is already in use", "--kafka-port");
        }
        assertThat(Files.isDirectory(dataDir.resolve("kafka"))).isTrue();

        try (RunningLauncher launcher = RunningLauncher.start(args)) {
            assertThat(launcher.output()).contains("0 created now");
            assertThat(latestIds(registry, catalogTopics)).isEqualTo(idsBeforeRestart);
            assertThat(devKey(launcher.output())).isEqualTo(devKey);

            Process create = new ProcessBuilder(RunningLauncher.javaCommand(List.of("keys", "create", "--tenant", "acme",
                    "--scopes", "ingest:audit,ingest:orders", "--data-dir", dataDir.toString())))
                    .redirectErrorStream(true).start();
            String created = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(create.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(create.exitValue()).as(created).isZero();
            String acmeKey = created.lines().map(String::trim).filter(line -> line.startsWith("ebk_"))
                    .findFirst().orElseThrow();
            assertThat(Files.readString(dataDir.resolve("gateway/keys.yml"))).doesNotContain(acmeKey).contains("acme");
            // The running gateway picks the new key up without a restart; it may post audit events only.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> postEvent(gatewayPort, acmeKey).statusCode() == 403);
        }
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

    private static HttpResponse<String> postEvent(int gatewayPort, String apiKey) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gatewayPort + "/v1/events/analytics"))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"launcher-check\"}"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void helpDocumentsTheFlags() throws Exception {
        Process process = new ProcessBuilder(RunningLauncher.javaCommand(List.of("up", "--help"))).redirectErrorStream(true).start();
        String help = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(help).contains("--data-dir", "--kafka-port", "--registry-port", "--gateway-port",
                "--gateway-admin-port", "--processors-admin-port", "--audit-store-port", "--audit-store-admin-port",
                "--bootstrap-servers", "--registry-url", "--client-config");
    }

    private static Set<String> listTopics(int kafkaPort) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> subjects(String registry) throws Exception {
        JsonNode body = JSON.readTree(get(registry + "/subjects"));
        List<String> subjects = new ArrayList<>();
        body.forEach(subject -> subjects.add(subject.asText()));
        return subjects;
    }

    private static Map<String, Integer> latestIds(String registry, Set<String> topics) throws Exception {
        Map<String, Integer> ids = new java.util.TreeMap<>();
        for (String topic : topics) {
            ids.put(topic, JSON.readTree(get(registry + "/subjects/" + topic + "-value/versions/latest"))
                    .get("id").asInt());
        }
        return ids;
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
        return response.body();
    }
}
