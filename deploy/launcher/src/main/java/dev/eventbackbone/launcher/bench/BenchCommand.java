package dev.eventbackbone.launcher.bench;

import picocli.CommandLine.Command;

/** {@code backbone bench}: the project's own load tools. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measures the platform under load; figures go to docs/benchmarks.md.",
        subcommands = {IngestBenchCommand.class, AuditBenchCommand.class, AuditLatencyBenchCommand.class,
                OrdersBenchCommand.class, NotificationsBenchCommand.class, AnalyticsBenchCommand.class})
public final class BenchCommand {
}
