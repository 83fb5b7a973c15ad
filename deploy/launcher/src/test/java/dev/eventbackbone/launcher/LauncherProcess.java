package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.testing.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

/** The packaged launcher jar run as users run it: {@code backbone up} and its one-shot commands. */
final class LauncherProcess {

    /** How long a one-shot command ({@code keys create}, {@code audit verify}, {@code --help}) may take. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Path JAR = Path.of("target", "backbone.jar");

    private LauncherProcess() {
    }

    /** {@code backbone up} with these arguments, ready once it prints that Ctrl-C stops it. */
    static ServiceProcess.Spec up(Path log, List<String> args) {
        return command(log, args).readyWhenLogContains("Press Ctrl-C to stop");
    }

    /** {@code backbone <args>} with the heap {@code ./backbone} gives it by default. */
    static ServiceProcess.Spec command(Path log, List<String> args) {
        return ServiceProcess.jar(JAR, args.toArray(String[]::new)).heap("1g").log(log);
    }

    /**
     * {@code backbone run <service> --config <yaml>}, exactly as the container image runs one service,
     * configured by this environment, ready once {@code readyUrl} answers 200.
     */
    static ServiceProcess.Spec run(Path log, String service, Path config, Map<String, String> environment,
                                   String readyUrl) {
        ServiceProcess.Spec spec = command(log, List.of("run", service, "--config", config.toString()));
        environment.forEach(spec::env);
        return spec.readyWhenHealthy(readyUrl);
    }

    /** Stops {@code backbone up} with SIGTERM, as Ctrl-C would, and checks it said goodbye. */
    static void stopCleanly(ServiceProcess up) {
        int exitCode = up.stop();
        assertThat(up.log()).as("exit code %d", exitCode).contains("Stopping Event Backbone", "Stopped.");
    }

    /** Free ports for every listener of {@code backbone up}. */
    record Ports(int kafka, int controller, int registry, int gateway, int gatewayAdmin, int processors,
                 int processorsAdmin, int auditStore, int auditStoreAdmin, int smtp, int analytics,
                 int analyticsAdmin) {

        static Ports free() {
            Set<Integer> taken = new HashSet<>();
            IntSupplier next = () -> {
                int port = FreePorts.nextExcept(taken);
                taken.add(port);
                return port;
            };
            return new Ports(next.getAsInt(), next.getAsInt(), next.getAsInt(), next.getAsInt(), next.getAsInt(),
                    next.getAsInt(), next.getAsInt(), next.getAsInt(), next.getAsInt(), next.getAsInt(),
                    next.getAsInt(), next.getAsInt());
        }

        /** The arguments of {@code backbone up} on these ports with this data directory. */
        List<String> upArgs(Path dataDir) {
            return new ArrayList<>(List.of("up", "--data-dir", dataDir.toString(),
                    "--kafka-port", String.valueOf(kafka),
                    "--controller-port", String.valueOf(controller),
                    "--registry-port", String.valueOf(registry),
                    "--gateway-port", String.valueOf(gateway),
                    "--gateway-admin-port", String.valueOf(gatewayAdmin),
                    "--processors-port", String.valueOf(processors),
                    "--processors-admin-port", String.valueOf(processorsAdmin),
                    "--audit-store-port", String.valueOf(auditStore),
                    "--audit-store-admin-port", String.valueOf(auditStoreAdmin),
                    "--smtp-port", String.valueOf(smtp),
                    "--analytics-port", String.valueOf(analytics),
                    "--analytics-admin-port", String.valueOf(analyticsAdmin)));
        }
    }
}
