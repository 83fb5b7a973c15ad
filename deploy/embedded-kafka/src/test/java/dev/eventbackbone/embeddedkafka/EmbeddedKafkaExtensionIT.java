package dev.eventbackbone.embeddedkafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs two test classes in a test run of their own, as a module's suite would, to see what the
 * extension hands them and what is left when that run ends.
 */
class EmbeddedKafkaExtensionIT {

    /** The clusters, and the brokers they listed, as the two classes of the inner run saw them. */
    static final List<EmbeddedKafkaCluster> SEEN = new CopyOnWriteArrayList<>();
    static final List<String> SEEN_BOOTSTRAP_SERVERS = new CopyOnWriteArrayList<>();

    @Test
    void twoTestClassesShareOneClusterThatIsClosedWhenTheRunEnds() {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(FirstUser.class), selectClass(SecondUser.class))
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();

        launcher.execute(request, listener);

        TestExecutionSummary summary = listener.getSummary();
        assertThat(summary.getFailures()).isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(1)).isSameAs(SEEN.get(0));
        assertThat(SEEN_BOOTSTRAP_SERVERS.get(1)).isEqualTo(SEEN_BOOTSTRAP_SERVERS.get(0)).isNotEmpty();
        assertThat(SEEN.get(0).bootstrapServers()).as("brokers still running after the run").isEmpty();
        assertThat(SEEN.get(0).dataDir()).as("temporary data directory after the run").doesNotExist();
    }

    @ExtendWith(EmbeddedKafkaExtension.class)
    static class FirstUser {
        @Test
        void usesTheSharedCluster(EmbeddedKafkaCluster kafka) {
            SEEN.add(kafka);
            SEEN_BOOTSTRAP_SERVERS.add(kafka.bootstrapServers());
        }
    }

    @ExtendWith(EmbeddedKafkaExtension.class)
    static class SecondUser {
        @Test
        void usesTheSharedCluster(EmbeddedKafkaCluster kafka) {
            SEEN.add(kafka);
            SEEN_BOOTSTRAP_SERVERS.add(kafka.bootstrapServers());
        }
    }
}
