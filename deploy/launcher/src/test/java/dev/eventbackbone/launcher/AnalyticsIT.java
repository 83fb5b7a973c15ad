package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Analytics as a product team meets it after {@code backbone up}: events posted to the gateway,
 * rolled up on the real broker into RocksDB window stores, read back over HTTP from the analytics
 * service: a series per minute, a summary with distinct users and quantiles, the top names.
 */
class AnalyticsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    private LauncherProcess.Ports ports;
    private ServiceProcess up;
    private String key;

    @BeforeEach
    void upWithEveryService() throws Exception {
        Path dataDir = dir.resolve("data");
        ports = LauncherProcess.Ports.free();
        up = processes.start(LauncherProcess.up(dir.resolve("up.log"), ports.upArgs(dataDir)));
        key = Files.readString(dataDir.resolve("gateway/dev-api-key")).trim();
    }

    @AfterEach
    void stop() {
        LauncherProcess.stopCleanly(up);
    }

    @Test
    void postedEventsAreCountedPerMinuteWithDistinctUsersQuantilesAndTopNames() {
        Instant minute = Instant.now().minusSeconds(120).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            events.add("{\"name\":\"page_view\",\"userId\":\"u-%d\",\"value\":%d,\"occurredAt\":\"%s\"}"
                    .formatted(i % 25, i + 1, minute.plusSeconds(i % 60)));
        }
        for (int i = 0; i < 10; i++) {
            events.add("{\"name\":\"signup\",\"userId\":\"new-%d\",\"occurredAt\":\"%s\"}".formatted(i, minute));
        }
        String batch = "{\"events\":[" + String.join(",", events) + "]}";
        assertThat(Http.post("http://127.0.0.1:" + ports.gateway() + "/v1/events/analytics/batch", key, batch)
                .statusCode()).isEqualTo(202);

        String api = "http://127.0.0.1:" + ports.analytics() + "/v1/analytics";
        String range = "&from=" + minute.minusSeconds(60) + "&to=" + minute.plusSeconds(120);
        JsonNode series = Awaitility.await("the series").atMost(TIMEOUT).ignoreExceptions().until(() ->
                Http.getJson(api + "/series?name=page_view&interval=minute" + range, key),
                answer -> answer.path("points").findValues("count").stream().mapToLong(JsonNode::asLong).sum() == 100);
        assertThat(series.path("points")).hasSize(3);
        assertThat(series.path("points").get(1).path("start").asText()).isEqualTo(minute.toString());
        assertThat(series.path("points").get(1).path("sum").asDouble()).isEqualTo(5_050);
        assertThat(series.path("standby").asBoolean()).isFalse();
        assertThat(series.path("servedBy").asText()).isEqualTo("http://127.0.0.1:" + ports.analytics());

        JsonNode summary = Http.getJson(api + "/summary?name=page_view" + range, key);
        assertThat(summary.path("count").asLong()).isEqualTo(100);
        assertThat(summary.path("distinctUsers").asLong()).isEqualTo(25);
        assertThat(summary.path("quantiles").path("p50").asDouble()).isBetween(48.0, 53.0);
        // The tenant's * rollup is another key, in another task: it may commit a moment after page_view's.
        JsonNode top = Awaitility.await("the top names").atMost(TIMEOUT).ignoreExceptions().until(() ->
                Http.getJson(api + "/top?n=2" + range, key), answer -> answer.path("names").size() == 2);
        assertThat(top.path("names").get(0).path("name").asText()).isEqualTo("page_view");
        assertThat(top.path("names").get(1).path("name").asText()).isEqualTo("signup");
        assertThat(Http.get(api + "/series?interval=minute" + range, key).statusCode()).as("name is required")
                .isEqualTo(400);
    }
}
