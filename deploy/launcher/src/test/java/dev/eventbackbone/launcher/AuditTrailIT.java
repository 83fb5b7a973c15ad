package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail end to end, as a user meets it after {@code backbone up}: services post raw audit
 * events to the gateway, the normalizer turns them into canonical records, the store chains them,
 * and an auditor searches, exports and verifies them offline with {@code backbone audit verify}.
 */
class AuditTrailIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void postedAuditEventsAreNormalizedSearchableWithinTwoSecondsAndVerifiable() throws Exception {
        int gatewayPort = RunningLauncher.freePort();
        int auditPort = RunningLauncher.freePort();
        List<String> args = List.of("up", "--data-dir", dataDir.toString(),
                "--kafka-port", String.valueOf(RunningLauncher.freePort()),
                "--controller-port", String.valueOf(RunningLauncher.freePort()),
                "--registry-port", String.valueOf(RunningLauncher.freePort()),
                "--gateway-port", String.valueOf(gatewayPort),
                "--gateway-admin-port", String.valueOf(RunningLauncher.freePort()),
                "--processors-admin-port", String.valueOf(RunningLauncher.freePort()),
                "--audit-store-port", String.valueOf(auditPort),
                "--audit-store-admin-port", String.valueOf(RunningLauncher.freePort()));
        try (RunningLauncher launcher = RunningLauncher.start(args)) {
            String devKey = Files.readString(dataDir.resolve("gateway/dev-api-key")).trim();
            String audit = "http://127.0.0.1:" + auditPort + "/v1/audit";

            HttpResponse<String> posted = post(gatewayPort, devKey, """
                    {"eventId": "login-1", "action": "LOGIN_SUCCESS", "actor": {"id": "alice", "type": "user",
                     "email": "Alice@Example.com"}, "occurredAt": 1795000000,
                     "resource": {"type": "session", "id": "s-1"}, "ip": "203.0.113.77"}""");
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            long postedAt = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() ->
                    get(audit + "/events?actor=alice", devKey).path("events").size() == 1);
            assertThat(Duration.ofNanos(System.nanoTime() - postedAt)).isLessThan(Duration.ofSeconds(2));

            JsonNode record = get(audit + "/events/login-1", devKey).path("record");
            assertThat(record.path("action").asText()).isEqualTo("auth.login");
            assertThat(record.path("outcome").asText()).isEqualTo("SUCCESS");
            assertThat(record.path("actorType").asText()).isEqualTo("USER");
            assertThat(record.path("occurredAt").asLong()).isEqualTo(1_795_000_000_000L);
            assertThat(record.path("ip").asText()).isEqualTo("203.0.113.0");
            assertThat(record.toString()).doesNotContain("Alice@Example.com");

            for (int i = 0; i < 3; i++) {
                assertThat(post(gatewayPort, devKey, """
                        {"action": "file_uploaded", "actor": "bob", "resource": {"type": "file", "id": "f-%d"}}"""
                        .formatted(i)).statusCode()).isEqualTo(202);
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                    get(audit + "/verify", devKey).path("recordsChecked").asLong() == 4);
            assertThat(get(audit + "/verify", devKey).path("verified").asBoolean()).isTrue();

            Path otherKeys = dataDir.resolve("gateway/keys.yml");
            String otherTenantKey = ApiKeyStore.create(otherKeys, "other", List.of("read:audit"), null).secret();
            Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                    get(audit + "/events", otherTenantKey).path("events").isEmpty());
            assertThat(request(audit + "/events/login-1", otherTenantKey).statusCode()).isEqualTo(404);

            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                    get(audit + "/checkpoints", devKey).findValuesAsText("sequence").contains("4"));
            Path export = dataDir.resolve("export.jsonl");
            Files.writeString(export, request(audit + "/export", devKey).body());
            Path publicKey = dataDir.resolve("audit-key.pem");
            Files.writeString(publicKey, request(audit + "/public-key.pem", devKey).body());
            Process verify = new ProcessBuilder(RunningLauncher.javaCommand(List.of("audit", "verify",
                    export.toString(), "--public-key", publicKey.toString()))).redirectErrorStream(true).start();
            String verdict = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(verify.exitValue()).as(verdict).isZero();
            assertThat(verdict).contains("VERIFIED: tenant dev, 4 record(s)");

            Files.writeString(export, Files.readString(export).replace("\"actorId\":\"bob\"", "\"actorId\":\"eve\""));
            Process tampered = new ProcessBuilder(RunningLauncher.javaCommand(List.of("audit", "verify",
                    export.toString(), "--public-key", publicKey.toString()))).redirectErrorStream(true).start();
            String broken = new String(tampered.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(tampered.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(tampered.exitValue()).as(broken).isEqualTo(1);
            assertThat(broken).contains("BROKEN", "First broken sequence: 2");
        }
    }

    private static HttpResponse<String> post(int gatewayPort, String apiKey, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/v1/events/audit"))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> request(String url, String apiKey) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + apiKey).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String url, String apiKey) throws Exception {
        HttpResponse<String> response = request(url, apiKey);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
