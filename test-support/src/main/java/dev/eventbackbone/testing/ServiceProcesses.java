package dev.eventbackbone.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The separate JVMs one test starts. After each test it ends every one still running (SIGTERM,
 * then SIGKILL), and when the test failed it prints the tail of each one's log, so a failure in a
 * child is seen where the test failed.
 *
 * <pre>{@code
 * @RegisterExtension
 * final ServiceProcesses processes = new ServiceProcesses();
 * ...
 * ServiceProcess gateway = processes.start(ServiceProcess.java(IngestGatewayApplication.class, "server", yml)
 *         .log(dir.resolve("gateway.log")).readyWhenHealthy(adminUrl + "/ping"));
 * }</pre>
 */
public final class ServiceProcesses implements AfterEachCallback {

    private final List<ServiceProcess> started = new ArrayList<>();

    /** Starts the program and waits until it is ready (see {@link ServiceProcess.Spec#start()}). */
    public synchronized ServiceProcess start(ServiceProcess.Spec spec) {
        return track(spec.start());
    }

    /** Starts a stopped or killed process again on the same command and data. */
    public synchronized ServiceProcess restart(ServiceProcess process) {
        return track(process.restart());
    }

    private ServiceProcess track(ServiceProcess process) {
        started.add(process);
        return process;
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            Set<Path> printed = new HashSet<>();
            for (ServiceProcess process : started) {
                if (printed.add(process.logFile())) {
                    System.err.printf("%n----- %s failed; the log of pid %d (%s), %s -----%n%s%n",
                            context.getDisplayName(), process.pid(), process.isAlive() ? "running" : "ended",
                            process.logFile(), process.logTail());
                }
            }
        }
        started.forEach(ServiceProcess::close);
        started.clear();
    }
}
