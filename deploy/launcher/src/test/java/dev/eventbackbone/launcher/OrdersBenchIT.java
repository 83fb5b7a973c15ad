package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.testing.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backbone bench orders} runs end to end on a small load and prints every figure it promises. */
class OrdersBenchIT {

    @TempDir
    Path workDir;

    @Test
    void smallOrdersBenchPrintsThroughputLatencyAndTheReference() {
        ServiceProcess.Completed bench = LauncherProcess.command(workDir.resolve("bench.log"), List.of("bench", "orders",
                "--commands", "1000", "--warmup", "200", "--connections", "8", "--rate", "200", "--seconds", "2",
                "--work-dir", workDir.toString())).run(Duration.ofMinutes(4));
        assertThat(bench.exitCode()).as(bench.output()).isZero();
        assertThat(bench.output())
                .containsPattern("\\| PLACE over HTTP to PAYMENT_REQUESTED, 8 connections \\| [0-9,]+ commands/s \\|")
                .containsPattern("\\| 202 to PAYMENT_REQUESTED at 200/s: p50 / p99 / max \\| [0-9]+ / [0-9]+ / [0-9]+ ms \\|")
                .containsPattern("\\| reference: plain exactly-once Streams pass-through, same broker \\| [0-9,]+ records/s \\|");
    }
}
