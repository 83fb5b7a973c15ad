package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The launcher as a separate JVM, stopped with SIGTERM as Ctrl-C would. */
final class RunningLauncher implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private Thread reader;

    private RunningLauncher(Process process) {
        this.process = process;
    }

    static RunningLauncher start(List<String> args) throws Exception {
        Process process = new ProcessBuilder(javaCommand(args)).redirectErrorStream(true).start();
        RunningLauncher launcher = new RunningLauncher(process);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        launcher.reader = new Thread(() -> launcher.pump(ready), "launcher-output");
        launcher.reader.setDaemon(true);
        launcher.reader.start();
        try {
            ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            launcher.close();
            throw new AssertionError("backbone up did not come up; output:\n" + launcher.output(), e);
        }
        return launcher;
    }

    private void pump(CompletableFuture<Void> ready) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.append(line).append('\n');
                if (line.startsWith("Press Ctrl-C to stop")) {
                    ready.complete(null);
                }
            }
            ready.completeExceptionally(new IllegalStateException("launcher exited with " + process.waitFor()));
        } catch (Exception e) {
            ready.completeExceptionally(e);
        }
    }

    String output() {
        return output.toString();
    }

    @Override
    public void close() throws Exception {
        // SIGTERM as Ctrl-C would; Process.destroy() would also close our end of its output.
        process.toHandle().destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("backbone up did not stop within 90 s of SIGTERM; output:\n" + output());
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(output()).as("exit code %d", process.exitValue()).contains("Stopping Event Backbone", "Stopped.");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static List<String> javaCommand(List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-jar", Path.of("target", "backbone.jar").toAbsolutePath().toString()));
        command.addAll(args);
        return command;
    }
}
