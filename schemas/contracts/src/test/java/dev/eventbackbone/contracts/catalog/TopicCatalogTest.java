package dev.eventbackbone.contracts.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationMessage;
import dev.eventbackbone.contracts.events.RejectedEvent;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class TopicCatalogTest {

    private static final Pattern KAFKA_TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    @Test
    void topicNamesAreUniqueLegalAndDoNotCollideInMetrics() {
        List<String> names = TopicCatalog.all().stream().map(TopicSpec::name).toList();

        assertThat(names).doesNotHaveDuplicates().allMatch(name -> KAFKA_TOPIC_NAME.matcher(name).matches());
        // Kafka replaces '.' with '_' in metric names, so two such names would share metrics.
        assertThat(names.stream().map(name -> name.replace('.', '_'))).doesNotHaveDuplicates();
    }

    @Test
    void catalogListsEveryTopicOfTheDesign() {
        assertThat(TopicCatalog.all()).extracting(TopicSpec::name).containsExactlyInAnyOrder(
                "audit.raw", "orders.commands", "notifications.requests", "analytics.events",
                "audit.events", "audit.alerts", "audit.dlq", "audit.heads", "audit.subject-keys", "audit.erasures",
                "orders.events", "orders.dlq", "orders.reservation-results", "inventory.updates",
                "inventory.reservations", "payments.requests",
                "notifications.preferences", "notifications.email", "notifications.sms", "notifications.push", "notifications.webhook",
                "notifications.results", "notifications.retry", "notifications.dlq",
                "analytics.dlq", "ingest.rejected");
    }

    @Test
    void registryTopicIsNotInTheCatalog() {
        assertThat(TopicCatalog.byName("_schemas")).isEmpty();
    }

    @Test
    void everyTopicHasAnEventRecordAsValueSchema() {
        assertThat(TopicCatalog.all()).allSatisfy(spec -> {
            assertThat(spec.valueSchema().getType()).isEqualTo(Schema.Type.RECORD);
            assertThat(spec.valueSchema().getNamespace()).isEqualTo("dev.eventbackbone.contracts.events");
            assertThat(spec.valueSubject()).isEqualTo(spec.name() + "-value");
        });
    }

    @Test
    void deadLetterTopicsCarryRejectedEvents() {
        assertThat(TopicCatalog.all())
                .filteredOn(spec -> spec.name().endsWith(".dlq") || spec.name().equals(TopicCatalog.INGEST_REJECTED))
                .hasSize(5)
                .allSatisfy(spec -> assertThat(spec.valueSchema()).isEqualTo(RejectedEvent.getClassSchema()));
    }

    @Test
    void everyTopicIsReplicatedForProductionAndAllButTheLatestPerKeyTopicsDeleteOldRecords() {
        Set<String> latestPerKey = Set.of(TopicCatalog.AUDIT_SUBJECT_KEYS, TopicCatalog.NOTIFICATIONS_PREFERENCES);
        assertThat(TopicCatalog.all()).allSatisfy(spec -> {
            assertThat(spec.replicationFactor()).isEqualTo(3);
            assertThat(spec.configs()).containsEntry("min.insync.replicas", "2");
            assertThat(spec.cleanupPolicy()).isEqualTo(latestPerKey.contains(spec.name())
                    ? CleanupPolicy.COMPACT : CleanupPolicy.DELETE);
        });
    }

    @Test
    void preferencesAreCoPartitionedWithTheRequestsTheyAnswer() {
        assertThat(spec(TopicCatalog.NOTIFICATIONS_PREFERENCES).partitions())
                .isEqualTo(spec(TopicCatalog.NOTIFICATIONS_REQUESTS).partitions())
                .isEqualTo(spec(TopicCatalog.NOTIFICATIONS_RESULTS).partitions())
                .isEqualTo(spec(TopicCatalog.NOTIFICATIONS_RETRY).partitions());
    }

    @Test
    void anErasedSubjectKeyBecomesCleanableWithinAnHour() {
        TopicSpec keys = spec(TopicCatalog.AUDIT_SUBJECT_KEYS);

        assertThat(keys.topicConfigs()).containsEntry("cleanup.policy", "compact").containsEntry("segment.ms", "3600000")
                .containsEntry("min.cleanable.dirty.ratio", "0.01");
        assertThat(spec(TopicCatalog.AUDIT_ERASURES).partitions()).isEqualTo(spec(TopicCatalog.AUDIT_RAW).partitions());
    }

    @Test
    void auditLogIsKeptForeverAndOrderTopicsShareTheirPartitionCount() {
        assertThat(spec(TopicCatalog.AUDIT_EVENTS).retention().isInfinite()).isTrue();
        assertThat(spec(TopicCatalog.AUDIT_EVENTS).topicConfigs()).containsEntry("retention.ms", "-1");
        assertThat(spec(TopicCatalog.ORDERS_EVENTS).partitions()).isEqualTo(spec(TopicCatalog.ORDERS_COMMANDS).partitions());
        assertThat(spec(TopicCatalog.ORDERS_RESERVATION_RESULTS).partitions())
                .as("read with the commands in one task").isEqualTo(spec(TopicCatalog.ORDERS_COMMANDS).partitions());
        assertThat(spec(TopicCatalog.INVENTORY_RESERVATIONS).partitions())
                .as("read with the updates in one task").isEqualTo(spec(TopicCatalog.INVENTORY_UPDATES).partitions());
    }

    @Test
    void byNameFindsEveryTopicAndNothingElse() {
        assertThat(TopicCatalog.all()).allSatisfy(spec -> assertThat(TopicCatalog.byName(spec.name())).contains(spec));
        assertThat(TopicCatalog.byName("orders.command")).isEmpty();
    }

    @Test
    void everyKnownChannelHasATopicCarryingNotificationMessages() {
        Arrays.stream(NotificationChannel.values())
                .filter(channel -> channel != NotificationChannel.UNKNOWN)
                .forEach(channel -> assertThat(spec(TopicCatalog.channelTopic(channel)).valueSchema())
                        .isEqualTo(NotificationMessage.getClassSchema()));
        assertThatThrownBy(() -> TopicCatalog.channelTopic(NotificationChannel.UNKNOWN))
                .hasMessageContaining("dead-letter");
    }

    private static TopicSpec spec(String name) {
        return TopicCatalog.byName(name).orElseThrow();
    }
}
