package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.testing.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backbone bench audit} and {@code audit-latency} run end to end on a small load and print every figure they promise. */
class AuditBenchIT {

    @TempDir
    Path workDir;

    @Test
    void smallAuditBenchPrintsRawAndStoreFigures() {
        ServiceProcess.Completed bench = LauncherProcess.command(workDir.resolve("bench.log"), List.of("bench", "audit",
                "--events", "3000", "--actors", "50", "--searches", "20", "--work-dir", workDir.toString()))
                .run(Duration.ofMinutes(3));
        assertThat(bench.exitCode()).as(bench.output()).isZero();
        assertThat(bench.output()).containsPattern("\\| raw producer \\| [0-9,]+ records/s \\|")
                .containsPattern("\\| raw consumer \\| [0-9,]+ records/s \\|")
                .containsPattern("\\| audit store ingest, steady \\| [0-9,]+ events/s \\|")
                .containsPattern("\\| actor search p50 / p99 \\| [0-9.]+ / [0-9.]+ ms \\|")
                .containsPattern("\\| inclusion proof p50 / p99 \\| [0-9.]+ / [0-9.]+ ms \\|");
    }

    @Test
    void smallAuditLatencyBenchPrintsTheAcknowledgementAndSearchableLatencies() {
        ServiceProcess.Completed bench = LauncherProcess.command(workDir.resolve("latency.log"), List.of("bench",
                "audit-latency", "--samples", "20", "--warmup", "5", "--work-dir", workDir.resolve("latency").toString()))
                .run(Duration.ofMinutes(3));
        assertThat(bench.exitCode()).as(bench.output()).isZero();
        assertThat(bench.output())
                .containsPattern("\\| POST /v1/events/audit answered 202 \\| [0-9.]+ ms \\| [0-9.]+ ms \\| [0-9.]+ ms \\|")
                .containsPattern("\\| POST to searchable in the audit store \\| [0-9.]+ ms \\| [0-9.]+ ms \\| [0-9.]+ ms \\|");
    }
}
