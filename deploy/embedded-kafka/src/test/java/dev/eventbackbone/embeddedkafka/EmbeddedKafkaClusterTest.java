package dev.eventbackbone.embeddedkafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaClusterTest {

    @TempDir
    Path dataDir;

    @Test
    void refusesADataDirectoryFormattedForAnotherNodeCount() throws Exception {
        Files.createDirectories(dataDir.resolve("node-0"));
        EmbeddedKafkaCluster.Builder threeNodes = EmbeddedKafkaCluster.builder().nodes(3).dataDir(dataDir);

        assertThatIllegalStateException().isThrownBy(threeNodes::start)
                .withMessageContaining("holds a cluster of 1 node(s), not 3")
                .withMessageContaining("nodes(1)");
    }

    @Test
    void refusesPinnedBrokerAndControllerPortsThatOverlap() {
        EmbeddedKafkaCluster.Builder overlapping = EmbeddedKafkaCluster.builder()
                .nodes(3).brokerPort(19092).controllerPort(19093).dataDir(dataDir);

        assertThatIllegalArgumentException().isThrownBy(overlapping::start)
                .withMessageContaining("Port 19093 would serve both a broker and a controller")
                .withMessageContaining("at least 3 apart");
        assertThat(dataDir).isEmptyDirectory();
    }

    @Test
    void refusesANodeCountOutsideOneToThree() {
        EmbeddedKafkaCluster.Builder builder = EmbeddedKafkaCluster.builder();

        assertThatIllegalArgumentException().isThrownBy(() -> builder.nodes(4)).withMessageContaining("was 4");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.nodes(0)).withMessageContaining("was 0");
    }
}
