package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backbone bench ingest --compare-raw} runs end to end against {@code backbone up --services
 * gateway} on a small load: the raw replay of the gateway's own records before and after the gateway
 * run, ProducerPerformance, and the CPU of both processes.
 */
class IngestBenchIT {

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    @Test
    void compareRawReplaysTheGatewaysOwnRecordsAroundTheGatewayRun() throws Exception {
        LauncherProcess.Ports ports = LauncherProcess.Ports.free();
        List<String> args = ports.upArgs(dir.resolve("data"));
        args.addAll(List.of("--services", "gateway"));
        ServiceProcess up = processes.start(LauncherProcess.up(dir.resolve("up.log"), args));
        String key = Files.readString(dir.resolve("data/gateway/dev-api-key")).trim();

        ServiceProcess.Completed bench = LauncherProcess.command(dir.resolve("bench.log"), List.of("bench", "ingest",
                "--url", "http://127.0.0.1:" + ports.gateway(), "--key", key,
                "--bootstrap-servers", "127.0.0.1:" + ports.kafka(), "--mode", "batch", "--batch-size", "10",
                "--connections", "2", "--warmup", "2s", "--duration", "2s", "--compare-raw"))
                .run(Duration.ofMinutes(3));

        assertThat(bench.exitCode()).as(bench.output()).isZero();
        assertThat(bench.output())
                .containsPattern("replaying [0-9,]+ of the gateway's own records from analytics.events")
                .containsPattern("\\| raw replay, before \\| [0-9,]+ \\| bench [0-9.]+, platform [0-9.]+ \\|")
                .containsPattern("\\| gateway \\(batch of 10\\), 2 connections \\| [0-9,]+ \\| bench [0-9.]+, platform")
                .containsPattern("\\| raw replay, after \\| [0-9,]+ \\|")
                .containsPattern("\\| Apache Kafka ProducerPerformance, [0-9]+ B values, same settings \\| [0-9,]+ \\|")
                .containsPattern("gateway / raw replay \\(mean of before and after\\) +[0-9]+ %");
        LauncherProcess.stopCleanly(up);
    }
}
