package dev.eventbackbone.launcher.bench;

import dev.eventbackbone.launcher.LocalPlatform;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backbone bench audit-latency}: how long an audit event takes from the gateway's POST until
 * the audit store finds it by its id, through the normalization topology (exactly once) and the
 * store's ingest, on a whole local platform that the command starts on free ports. The POST's own
 * answer time (202, acknowledged by Kafka) is printed beside it as the ingest part of that path.
 */
@Command(name = "audit-latency",
        mixinStandardHelpOptions = true,
        description = "Measures the time from POST /v1/events/audit to the event being searchable in the audit"
                + " store (gateway, exactly-once normalization, store ingest) on a local platform started on"
                + " free ports, one event at a time, beside the POST's own 202 latency.")
final class AuditLatencyBenchCommand implements Callable<Integer> {

    private static final Duration GIVE_UP = Duration.ofSeconds(60);

    @Option(names = "--samples", defaultValue = "300", description = "Measured events. Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--warmup", defaultValue = "50", description = "Events sent first and not measured."
            + " Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--work-dir", description = "Where the platform's data goes; default a fresh temporary directory.")
    Path workDir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    public Integer call() throws Exception {
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("audit-latency-bench");
        LocalPlatform.Settings settings = LocalPlatform.Settings.onFreePorts(dir,
                EnumSet.allOf(LocalPlatform.Service.class));
        System.out.printf("audit latency bench: %d events after %d warm-up events; platform data in %s%n", samples,
                warmup, dir);
        try (LocalPlatform platform = LocalPlatform.start(settings, new PrintStream(OutputStream.nullOutputStream()))) {
            String apiKey = Files.readString(dir.resolve("gateway").resolve(LocalPlatform.DEV_KEY_FILE)).trim();
            String gateway = "http://127.0.0.1:" + settings.gatewayPort() + "/v1/events/audit";
            String store = "http://127.0.0.1:" + settings.auditStorePort() + "/v1/audit/events/";
            Histogram accepted = new Histogram(3);
            Histogram searchable = new Histogram(3);
            for (int i = 0; i < warmup + samples; i++) {
                String eventId = "latency-" + i;
                long sent = System.nanoTime();
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(gateway))
                        .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"eventId\":\"" + eventId + "\",\"action\":"
                                + "\"LOGIN_SUCCESS\",\"actor\":{\"id\":\"u-" + (i % 50) + "\",\"type\":\"user\"},"
                                + "\"resource\":{\"type\":\"session\",\"id\":\"s-" + i + "\"}}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                long acknowledged = System.nanoTime();
                if (answer.statusCode() != 202) {
                    throw new IllegalStateException("The gateway answered " + answer.statusCode() + ": " + answer.body());
                }
                awaitSearchable(store + eventId, apiKey, sent);
                long found = System.nanoTime();
                if (i >= warmup) {
                    accepted.recordValue((acknowledged - sent) / 1000);
                    searchable.recordValue((found - sent) / 1000);
                }
            }
            System.out.printf("%n| measure | p50 | p99 | max |%n|---|---|---|---|%n");
            row("POST /v1/events/audit answered 202", accepted);
            row("POST to searchable in the audit store", searchable);
        }
        return 0;
    }

    /** Asks the store for the event until it has it: each look is one loopback round trip of well under 1 ms. */
    private void awaitSearchable(String url, String apiKey, long sent) throws Exception {
        HttpRequest lookup = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + apiKey).build();
        while (http.send(lookup, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            if (System.nanoTime() - sent > GIVE_UP.toNanos()) {
                throw new IllegalStateException(url + " was not searchable within " + GIVE_UP.toSeconds() + " s");
            }
        }
    }

    private static void row(String measure, Histogram latencies) {
        System.out.printf("| %s | %.1f ms | %.1f ms | %.1f ms |%n", measure, latencies.getValueAtPercentile(50) / 1000.0,
                latencies.getValueAtPercentile(99) / 1000.0, latencies.getMaxValue() / 1000.0);
    }
}
