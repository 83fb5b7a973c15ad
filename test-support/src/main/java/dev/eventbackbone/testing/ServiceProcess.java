package dev.eventbackbone.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One of our programs in a JVM of its own: a service from its YAML file, {@code backbone up}, or a
 * one-shot command. Its standard output and error go to a log file, never through a pipe this JVM
 * has to drain, so no read of its output can block; every wait is bounded and a failed one says
 * what the log ended with. {@link #killHard()} is {@code kill -9}; {@link #restart()} starts the
 * same command again on the same data, appending to the same log.
 *
 * <pre>{@code
 * ServiceProcess store = processes.start(ServiceProcess.java(AuditStoreApplication.class, "server", config.toString())
 *         .log(dir.resolve("store.log")).readyWhenHealthy("http://127.0.0.1:" + adminPort + "/ping"));
 * store.killHard();
 * store.restart();
 * }</pre>
 *
 * Tests start them through {@link ServiceProcesses}, which prints the logs of a failed test and
 * ends every process after each test.
 */
public final class ServiceProcess implements AutoCloseable {

    /** How long a start may take by default: a cold JVM, RocksDB and Kafka clients on a slow machine. */
    public static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    /** How long a process may take to stop after SIGTERM before it is killed. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);
    private static final int TAIL_LINES = 60;

    private final Spec spec;
    private final Process process;

    private ServiceProcess(Spec spec, Process process) {
        this.spec = spec;
        this.process = process;
    }

    /** {@code java -cp <this JVM's class path> mainClass args...}: any of our applications as the test sees it. */
    public static Spec java(Class<?> mainClass, String... args) {
        return new Spec(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()), List.of(args),
                mainClass.getSimpleName());
    }

    /** {@code java -jar jar args...}: the packaged launcher as users run it. */
    public static Spec jar(Path jar, String... args) {
        return new Spec(List.of("-jar", jar.toAbsolutePath().toString()), List.of(args),
                jar.getFileName() + " " + String.join(" ", args));
    }

    /** The whole log so far, of every start. */
    public String log() {
        return spec.readLog(0);
    }

    /** The last lines of the log, for a failure message. */
    public String logTail() {
        return spec.tail();
    }

    public Path logFile() {
        return spec.log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook runs. Returns once the process is gone. */
    public void killHard() {
        process.destroyForcibly();
        awaitExit(STOP_TIMEOUT, "SIGKILL");
    }

    /** SIGTERM, as Ctrl-C or an orchestrator would; returns the exit code, or fails (and kills) after {@link #STOP_TIMEOUT}. */
    public int stop() {
        process.destroy();
        return awaitExit(STOP_TIMEOUT, "SIGTERM");
    }

    /** Starts the same command again (same arguments, same data), appending to the same log, once this one is gone. */
    public ServiceProcess restart() {
        if (process.isAlive()) {
            throw new IllegalStateException(spec.name + " (pid " + process.pid() + ") still runs: stop or kill it first");
        }
        return spec.start();
    }

    /** Stops the process if it still runs: SIGTERM, then SIGKILL if it does not stop in time. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Kills and waits until the process is gone, so that "it was killed" holds: its ports and locks are free. */
    private static void killAndAwaitExit(Process process) {
        try {
            process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int awaitExit(Duration timeout, String signal) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killAndAwaitExit(process);
                throw new AssertionError(spec.name + " did not exit within " + timeout.toSeconds() + " s of " + signal
                        + "; it was killed. Its log ended with:\n" + spec.tail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + spec.name + " to exit", e);
        }
    }

    /** What a finished one-shot command left: its exit code and everything it printed. */
    public record Completed(int exitCode, String output) {
    }

    /** How to run the program and how to tell that it is ready. */
    public static final class Spec {
        private final List<String> launch;
        private final List<String> args;
        private final String name;
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx512m",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.eventbackbone",
                // The test class path holds several logback-test.xml; logback's note about that is not the program's log.
                "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener"));
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path log;
        private String healthUrl;
        private String readyLine;
        private Duration startTimeout = START_TIMEOUT;

        private Spec(List<String> launch, List<String> args, String name) {
            this.launch = launch;
            this.args = args;
            this.name = name;
        }

        /** Where standard output and error go; default a temporary file. */
        public Spec log(Path file) {
            this.log = file;
            return this;
        }

        /** An environment variable of the program, e.g. one its YAML's {@code ${VAR:-default}} reads. */
        public Spec env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** The maximum heap, e.g. {@code 1g}; default {@code 512m}. */
        public Spec heap(String size) {
            jvmOptions.set(0, "-Xmx" + size);
            return this;
        }

        /** Ready once {@code GET url} answers 200, e.g. the admin port's {@code /ping}. */
        public Spec readyWhenHealthy(String url) {
            this.healthUrl = url;
            return this;
        }

        /** Ready once this start has written a log line containing {@code text}. */
        public Spec readyWhenLogContains(String text) {
            this.readyLine = text;
            return this;
        }

        /** How long {@link #start()} waits for ready; default {@link #START_TIMEOUT}. */
        public Spec startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /**
         * Starts the program and waits until it is ready. Fails, with the log's tail, if it exits
         * first or is not ready in time (then it is killed).
         */
        public ServiceProcess start() {
            long logStart = logSize();
            ServiceProcess started = new ServiceProcess(this, launch());
            try {
                Awaitility.await(name + " ready").atMost(startTimeout).pollInterval(Duration.ofMillis(100))
                        .until(() -> ready(started.process, logStart));
            } catch (ConditionTimeoutException e) {
                killAndAwaitExit(started.process);
                throw new AssertionError(name + " was not ready within " + startTimeout.toSeconds()
                        + " s; it was killed. Its log ended with:\n" + tail(), e);
            } catch (RuntimeException | Error e) {
                killAndAwaitExit(started.process);
                throw e;
            }
            return started;
        }

        /**
         * Runs the program to its end and returns its exit code and output. If it has not exited
         * within {@code timeout} it is killed and the call fails with what it printed.
         */
        public Completed run(Duration timeout) {
            long logStart = logSize();
            ServiceProcess running = new ServiceProcess(this, launch());
            int exitCode = running.awaitExit(timeout, "the run's timeout");
            return new Completed(exitCode, readLog(logStart));
        }

        private Process launch() {
            try {
                if (log == null) {
                    log = Files.createTempFile("service-process-", ".log");
                }
                Files.createDirectories(log.toAbsolutePath().getParent());
                List<String> command = new ArrayList<>();
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(jvmOptions);
                command.addAll(launch);
                command.addAll(args);
                ProcessBuilder builder = new ProcessBuilder(command);
                builder.environment().putAll(environment);
                return builder
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start " + name, e);
            }
        }

        private boolean ready(Process process, long logStart) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " before it was ready. Its log ended with:\n" + tail());
            }
            if (readyLine != null && !readLog(logStart).contains(readyLine)) {
                return false;
            }
            return healthUrl == null || healthy();
        }

        private boolean healthy() {
            try {
                return Http.get(healthUrl, null).statusCode() == 200;
            } catch (UncheckedIOException notYet) {
                return false;
            }
        }

        private long logSize() {
            try {
                return log != null && Files.exists(log) ? Files.size(log) : 0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private String readLog(long from) {
            if (log == null || !Files.exists(log)) {
                return "";
            }
            try {
                byte[] bytes = Files.readAllBytes(log);
                int start = (int) Math.min(from, bytes.length);
                return new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the log " + log, e);
            }
        }

        private String tail() {
            List<String> lines = readLog(0).lines().toList();
            List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
            return (lines.size() > TAIL_LINES ? "[... " + (lines.size() - TAIL_LINES) + " earlier lines in " + log
                    + "]\n" : "") + String.join("\n", tail);
        }
    }
}
