package dev.eventbackbone.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    /**
     * Starts the programs side by side and waits until each is ready: for programs that become ready
     * only together, such as the nodes of a cluster waiting for a quorum.
     */
    public List<ServiceProcess> startTogether(List<ServiceProcess.Spec> specs) {
        List<CompletableFuture<ServiceProcess>> starts = specs.stream()
                .map(spec -> CompletableFuture.supplyAsync(spec::start, runnable -> new Thread(runnable).start()))
                .toList();
        List<ServiceProcess> ready = new ArrayList<>();
        RuntimeException failure = null;
        for (CompletableFuture<ServiceProcess> start : starts) {
            try {
                ready.add(start.join());
            } catch (CompletionException e) {
                failure = failure == null ? new IllegalStateException("A program started together did not become ready",
                        e.getCause()) : failure;
            }
        }
        synchronized (this) {
            ready.forEach(this::track);
        }
        if (failure != null) {
            throw failure;
        }
        return ready;
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
        // The last started first: a program stops before those it depends on (services before their brokers).
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        started.clear();
    }
}
