package dev.eventbackbone.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: a child that never finishes fails the test at its timeout, and is gone afterwards. */
@Timeout(120)
class ServiceProcessIT {

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    @Test
    void aChildThatPrintsForeverAndNeverExitsFailsTheRunAtItsTimeoutAndIsKilled() {
        ServiceProcess.Spec forever = ServiceProcess.java(PrintsForever.class).log(dir.resolve("forever.log"));

        assertThatThrownBy(() -> forever.run(Duration.ofSeconds(3)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PrintsForever did not exit within 3 s")
                .hasMessageContaining("still running, line");
        assertThat(childrenRunning(PrintsForever.class)).isZero();
    }

    @Test
    void aChildThatNeverBecomesReadyFailsTheStartAtItsTimeoutAndIsKilled() {
        ServiceProcess.Spec neverReady = ServiceProcess.java(PrintsForever.class).log(dir.resolve("never-ready.log"))
                .readyWhenLogContains("Press Ctrl-C to stop").startTimeout(Duration.ofSeconds(3));

        assertThatThrownBy(() -> processes.start(neverReady))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("was not ready within 3 s")
                .hasMessageContaining("still running, line");
        assertThat(childrenRunning(PrintsForever.class)).isZero();
    }

    @Test
    void aChildThatExitsBeforeItIsReadyFailsTheStartWithItsExitCodeAndLog() {
        ServiceProcess.Spec noSuchClass = ServiceProcess.java(ServiceProcessIT.class).log(dir.resolve("exits.log"))
                .readyWhenHealthy("http://127.0.0.1:1/never");

        assertThatThrownBy(() -> processes.start(noSuchClass))
                .hasMessageContaining("exited with code 1 before it was ready")
                .hasMessageContaining("main method");
    }

    @Test
    void killMinusNineSkipsShutdownHooksAndRestartAppendsToTheSameLog() {
        ServiceProcess first = processes.start(ServiceProcess.java(ServesUntilKilled.class, "on port 1")
                .log(dir.resolve("service.log")).readyWhenLogContains("ready to serve"));

        first.killHard();
        assertThat(first.isAlive()).isFalse();
        ServiceProcess second = processes.restart(first);
        assertThat(second.pid()).isNotEqualTo(first.pid());
        assertThat(second.stop()).as("exit code after SIGTERM").isEqualTo(143);

        assertThat(second.log()).containsOnlyOnce("stopping cleanly");
        assertThat(second.log().lines().filter(line -> line.equals("ready to serve on port 1"))).hasSize(2);
    }

    private static long childrenRunning(Class<?> mainClass) {
        return ProcessHandle.current().children()
                .filter(child -> child.info().arguments().map(args -> String.join(" ", args).contains(mainClass.getName()))
                        .orElse(false))
                .filter(ProcessHandle::isAlive)
                .count();
    }
}
