package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail end to end, as a user meets it after {@code backbone up}: services post raw audit
 * events to the gateway, the normalizer turns them into canonical records, the store appends them
 * in its Merkle tree and signs heads, and an auditor searches, exports and verifies them offline
 * with {@code backbone audit verify} and {@code verify-proof}.
 */
class AuditTrailIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    @Test
    void postedAuditEventsAreNormalizedSearchableAndVerifiable() throws Exception {
        Path dataDir = dir.resolve("data");
        LauncherProcess.Ports ports = LauncherProcess.Ports.free();
        ServiceProcess up = processes.start(LauncherProcess.up(dir.resolve("up.log"), ports.upArgs(dataDir)));
        String devKey = Files.readString(dataDir.resolve("gateway/dev-api-key")).trim();
        String audit = "http://127.0.0.1:" + ports.auditStore() + "/v1/audit";

        HttpResponse<String> posted = post(ports.gateway(), devKey, """
                {"eventId": "login-1", "action": "LOGIN_SUCCESS", "actor": {"id": "alice", "type": "user",
                 "email": "Alice@Example.com"}, "occurredAt": 1795000000,
                 "resource": {"type": "session", "id": "s-1"}, "ip": "203.0.113.77"}""");
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                Http.getJson(audit + "/events?actor=alice", devKey).path("events").size() == 1);

        JsonNode record = Http.getJson(audit + "/events/login-1", devKey).path("record");
        assertThat(record.path("action").asText()).isEqualTo("auth.login");
        assertThat(record.path("outcome").asText()).isEqualTo("SUCCESS");
        assertThat(record.path("actorType").asText()).isEqualTo("USER");
        assertThat(record.path("occurredAt").asLong()).isEqualTo(1_795_000_000_000L);
        assertThat(record.path("ip").asText()).isEqualTo("203.0.113.0");
        assertThat(record.toString()).doesNotContain("Alice@Example.com");

        for (int i = 0; i < 3; i++) {
            assertThat(post(ports.gateway(), devKey, """
                    {"action": "file_uploaded", "actor": "bob", "resource": {"type": "file", "id": "f-%d"}}"""
                    .formatted(i)).statusCode()).isEqualTo(202);
        }
        Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                Http.getJson(audit + "/verify", devKey).path("leavesChecked").asLong() == 4);
        assertThat(Http.getJson(audit + "/verify", devKey).path("verified").asBoolean()).isTrue();

        Path otherKeys = dataDir.resolve("gateway/keys.yml");
        String otherTenantKey = ApiKeyStore.create(otherKeys, "other", List.of("read:audit"), null).secret();
        Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                Http.getJson(audit + "/events", otherTenantKey).path("events").isEmpty());
        assertThat(Http.get(audit + "/events/login-1", otherTenantKey).statusCode()).isEqualTo(404);

        Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                Http.getJson(audit + "/heads/latest", devKey).path("treeSize").asLong() == 4);
        Path export = dir.resolve("export.jsonl");
        Files.writeString(export, Http.getText(audit + "/export", devKey));
        Path publicKey = dir.resolve("audit-key.pem");
        Files.writeString(publicKey, Http.getText(audit + "/public-key.pem", null));
        Path head = dir.resolve("head.json");
        Files.writeString(head, Http.getText(audit + "/heads/latest", devKey));
        ServiceProcess.Completed verified = audit("verify.log", "verify", export.toString(), "--public-key",
                publicKey.toString(), "--head", head.toString());
        assertThat(verified.exitCode()).as(verified.output()).isZero();
        assertThat(verified.output()).contains("VERIFIED: tenant dev, 4 leaves", "agrees with the head you hold");

        Path proof = dir.resolve("proof.json");
        Files.writeString(proof, Http.getText(audit + "/proofs/inclusion?eventId=login-1", devKey));
        ServiceProcess.Completed proven = audit("proof.log", "verify-proof", proof.toString(), "--public-key",
                publicKey.toString());
        assertThat(proven.exitCode()).as(proven.output()).isZero();
        assertThat(proven.output()).contains("VERIFIED: leaf 0 of tenant dev is in the tree of 4 leaves");

        String leafHashBefore = Http.getJson(audit + "/events/login-1", devKey).path("leafHash").asText();
        HttpResponse<String> erasure = Http.post(audit + "/erasures", devKey,
                "{\"subject\": \"alice\", \"reason\": \"data subject request 7\"}");
        assertThat(erasure.statusCode()).as(erasure.body()).isEqualTo(202);
        Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() -> "erased".equals(
                Http.getJson(audit + "/events/login-1", devKey).path("personal").path("state").asText()));
        JsonNode erased = Http.getJson(audit + "/events/login-1", devKey);
        assertThat(erased.path("record").path("ip").isNull()).as(erased.toString()).isTrue();
        assertThat(erased.toString()).doesNotContain("203.0.113");
        assertThat(erased.path("leafHash").asText()).as("the leaf is unchanged").isEqualTo(leafHashBefore);
        JsonNode erasureRecord = Http.getJson(audit + "/events?action=audit.subject_erased", devKey).path("events").get(0);
        assertThat(erasureRecord.path("record").path("resource").path("id").asText()).isEqualTo("alice");
        assertThat(erasureRecord.path("record").path("metadata").path("reason").asText())
                .isEqualTo("data subject request 7");
        Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                Http.getJson(audit + "/heads/latest", devKey).path("treeSize").asLong() == 5);
        Files.writeString(export, Http.getText(audit + "/export", devKey));
        assertThat(Files.readString(export)).doesNotContain("203.0.113", "subjectKey");
        ServiceProcess.Completed afterErasure = audit("verify-erased.log", "verify", export.toString(), "--public-key",
                publicKey.toString(), "--head", head.toString());
        assertThat(afterErasure.exitCode()).as(afterErasure.output()).isZero();
        assertThat(afterErasure.output()).contains("VERIFIED: tenant dev, 5 leaves", "1 leaves have erased personal",
                "agrees with the head you hold at 4 leaves");
        ServiceProcess.Completed provenAfterErasure = audit("proof-erased.log", "verify-proof", proof.toString(),
                "--public-key", publicKey.toString());
        assertThat(provenAfterErasure.exitCode()).as("a proof taken before the erasure still holds").isZero();

        Files.writeString(export, Files.readString(export).replace("\"actorId\":\"bob\"", "\"actorId\":\"eve\""));
        ServiceProcess.Completed broken = audit("tampered.log", "verify", export.toString(), "--public-key",
                publicKey.toString());
        assertThat(broken.exitCode()).as(broken.output()).isEqualTo(1);
        assertThat(broken.output()).contains("BROKEN", "First bad leaf: 1");
        LauncherProcess.stopCleanly(up);
    }

    private ServiceProcess.Completed audit(String log, String... args) {
        List<String> command = new ArrayList<>(List.of("audit"));
        command.addAll(List.of(args));
        return LauncherProcess.command(dir.resolve(log), command).run(LauncherProcess.COMMAND_TIMEOUT);
    }

    private static HttpResponse<String> post(int gatewayPort, String apiKey, String body) {
        return Http.post("http://127.0.0.1:" + gatewayPort + "/v1/events/audit", apiKey, body);
    }
}
