package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backbone bench audit} runs end to end on a small load and prints every figure it promises. */
class AuditBenchIT {

    @TempDir
    Path workDir;

    @Test
    void smallAuditBenchPrintsRawAndStoreFigures() throws Exception {
        Process bench = new ProcessBuilder(RunningLauncher.javaCommand(List.of("bench", "audit", "--events", "3000",
                "--actors", "50", "--searches", "20", "--work-dir", workDir.toString())))
                .redirectErrorStream(true).start();
        String output = new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bench.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(bench.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("\\| raw producer \\| [0-9,]+ records/s \\|")
                .containsPattern("\\| raw consumer \\| [0-9,]+ records/s \\|")
                .containsPattern("\\| audit store ingest, steady \\| [0-9,]+ events/s \\|")
                .containsPattern("\\| actor search p50 / p99 \\| [0-9.]+ / [0-9.]+ ms \\|");
    }
}
