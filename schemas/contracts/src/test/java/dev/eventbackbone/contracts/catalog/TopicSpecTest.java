package dev.eventbackbone.contracts.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.contracts.events.RejectedEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicSpecTest {

    @Test
    void rejectsIllegalTopicName() {
        assertThatThrownBy(() -> spec("orders commands", 3, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'orders commands' is not a legal Kafka topic name");
    }

    @Test
    void rejectsRetentionOrCleanupHiddenInConfigs() {
        assertThatThrownBy(() -> spec("t", 3, Map.of("retention.ms", "1000")))
                .hasMessageContaining("sets retention.ms in configs");
    }

    @Test
    void rejectsMinInSyncReplicasAboveReplicationFactor() {
        assertThatThrownBy(() -> spec("t", 1, Map.of("min.insync.replicas", "2")))
                .hasMessageContaining("min.insync.replicas 2 above its replication factor 1");
        assertThatThrownBy(() -> spec("t", 3, Map.of("min.insync.replicas", "two")))
                .hasMessageContaining("'two'");
    }

    @Test
    void topicConfigsHoldCleanupRetentionAndExtras() {
        assertThat(spec("t", 3, Map.of("min.insync.replicas", "2")).topicConfigs()).containsExactlyInAnyOrderEntriesOf(
                Map.of("cleanup.policy", "delete", "retention.ms", "604800000", "min.insync.replicas", "2"));
    }

    @Test
    void retentionReadsAsPeopleSayIt() {
        assertThat(Retention.ofDays(7)).hasToString("7 days");
        assertThat(Retention.ofDays(1)).hasToString("1 day");
        assertThat(Retention.infinite()).hasToString("infinite");
        assertThat(Retention.of(Duration.ofHours(36))).hasToString("PT36H");
        assertThatThrownBy(() -> new Retention(0)).hasMessageContaining("positive or infinite");
    }

    private static TopicSpec spec(String name, int replication, Map<String, String> configs) {
        return new TopicSpec(name, "tenant:id", RejectedEvent.getClassSchema(), 1, replication, Retention.ofDays(7),
                CleanupPolicy.DELETE, configs, "contracts", List.of(), "a test topic");
    }
}
