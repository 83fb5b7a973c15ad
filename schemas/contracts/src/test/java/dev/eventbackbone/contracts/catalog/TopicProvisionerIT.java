package dev.eventbackbone.contracts.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.embeddedkafka.EmbeddedKafkaCluster;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class TopicProvisionerIT {

    private static Admin admin;

    @BeforeAll
    static void connect(EmbeddedKafkaCluster cluster) {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    static void disconnect() {
        admin.close();
    }

    @Test
    void provisioningTheCatalogCreatesEveryTopicWithReplicationCappedToTheSingleBroker() throws Exception {
        List<String> names = TopicCatalog.all().stream().map(TopicSpec::name).toList();

        ProvisioningReport report = TopicProvisioner.forCluster(admin).provision(TopicCatalog.all());

        assertThat(report.mismatches()).isEmpty();
        assertThat(concat(report.created(), report.unchanged())).containsExactlyInAnyOrderElementsOf(names);
        assertThat(report.notes()).hasSize(names.size()).allSatisfy(note -> assertThat(note)
                .contains("replication factor capped from 3 to 1", "min.insync.replicas capped from 2 to 1",
                        "the cluster has 1 broker"));
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        Map<String, Config> configs = configsOf(names);
        assertThat(TopicCatalog.all()).allSatisfy(spec -> {
            TopicDescription topic = described.get(spec.name());
            assertThat(topic.partitions()).as(spec.name()).hasSize(spec.partitions())
                    .allSatisfy(partition -> assertThat(partition.replicas()).hasSize(1));
            Config config = configs.get(spec.name());
            assertThat(config.get("cleanup.policy").value()).isEqualTo(spec.cleanupPolicy().configValue());
            assertThat(config.get("retention.ms").value()).isEqualTo(spec.retention().configValue());
            assertThat(config.get("min.insync.replicas").value()).isEqualTo("1");
        });
    }

    @Test
    void provisioningTwiceCreatesNothingTheSecondTime() {
        List<TopicSpec> specs = uniqueCopies(TopicCatalog.ORDERS_COMMANDS, TopicCatalog.AUDIT_EVENTS,
                TopicCatalog.NOTIFICATIONS_DLQ);
        TopicProvisioner provisioner = TopicProvisioner.forCluster(admin);

        ProvisioningReport first = provisioner.provision(specs);
        ProvisioningReport second = provisioner.provision(specs);

        assertThat(first.created()).containsExactlyElementsOf(names(specs));
        assertThat(second.created()).isEmpty();
        assertThat(second.mismatches()).isEmpty();
        assertThat(second.unchanged()).containsExactlyElementsOf(names(specs));
        assertThat(second.requireNoMismatches()).isSameAs(second);
    }

    @Test
    void concurrentProvisionersCreateEachTopicOnce() {
        List<TopicSpec> specs = uniqueCopies(TopicCatalog.AUDIT_RAW, TopicCatalog.ANALYTICS_EVENTS,
                TopicCatalog.NOTIFICATIONS_EMAIL, TopicCatalog.INGEST_REJECTED);
        TopicProvisioner provisioner = TopicProvisioner.forCluster(admin);

        CompletableFuture<ProvisioningReport> one = CompletableFuture.supplyAsync(() -> provisioner.provision(specs));
        CompletableFuture<ProvisioningReport> other = CompletableFuture.supplyAsync(() -> provisioner.provision(specs));
        ProvisioningReport first = one.join();
        ProvisioningReport second = other.join();

        assertThat(concat(first.created(), second.created())).containsExactlyInAnyOrderElementsOf(names(specs));
        assertThat(first.mismatches()).isEmpty();
        assertThat(second.mismatches()).isEmpty();
    }

    @Test
    void existingTopicWithFewerPartitionsIsReportedAndLeftAlone() throws Exception {
        TopicSpec orders = uniqueCopies(TopicCatalog.ORDERS_COMMANDS).get(0);
        admin.createTopics(List.of(new NewTopic(orders.name(), 3, (short) 1))).all().get(30, TimeUnit.SECONDS);

        ProvisioningReport report = TopicProvisioner.forCluster(admin).provision(List.of(orders));

        assertThat(report.created()).isEmpty();
        assertThat(report.unchanged()).isEmpty();
        assertThat(report.mismatches()).singleElement().satisfies(mismatch -> {
            assertThat(mismatch.topic()).isEqualTo(orders.name());
            assertThat(mismatch.setting()).isEqualTo("partitions");
            assertThat(mismatch.expected()).isEqualTo("12");
            assertThat(mismatch.actual()).isEqualTo("3");
            assertThat(mismatch.remedy()).contains("--alter --topic " + orders.name() + " --partitions 12",
                    "key→partition mapping");
        });
        assertThatThrownBy(report::requireNoMismatches)
                .isInstanceOf(TopicMismatchException.class)
                .hasMessageContaining("topic " + orders.name() + " has partitions 3, catalog expects 12");
        assertThat(admin.describeTopics(List.of(orders.name())).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(orders.name()).partitions()).hasSize(3);
    }

    @Test
    void existingTopicWithAnotherCleanupPolicyIsReported() throws Exception {
        TopicSpec audit = uniqueCopies(TopicCatalog.AUDIT_RAW).get(0);
        admin.createTopics(List.of(new NewTopic(audit.name(), audit.partitions(), (short) 1).configs(Map.of(
                "cleanup.policy", "compact", "retention.ms", audit.retention().configValue()))))
                .all().get(30, TimeUnit.SECONDS);

        ProvisioningReport report = TopicProvisioner.forCluster(admin).provision(List.of(audit));

        assertThat(report.mismatches()).singleElement().satisfies(mismatch -> {
            assertThat(mismatch.setting()).isEqualTo("cleanup.policy");
            assertThat(mismatch.expected()).isEqualTo("delete");
            assertThat(mismatch.actual()).isEqualTo("compact");
            assertThat(mismatch.remedy()).contains("kafka-configs", "--entity-name " + audit.name(),
                    "--add-config cleanup.policy=delete");
        });
        assertThat(configsOf(List.of(audit.name())).get(audit.name()).get("cleanup.policy").value())
                .isEqualTo("compact");
    }

    /** Catalog specs under names no other test uses, since the module's tests share one broker. */
    private static List<TopicSpec> uniqueCopies(String... catalogNames) {
        String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        List<TopicSpec> copies = new ArrayList<>();
        for (String name : catalogNames) {
            copies.add(TopicCatalog.byName(name).orElseThrow().withName(prefix + name));
        }
        return copies;
    }

    private static List<String> names(List<TopicSpec> specs) {
        return specs.stream().map(TopicSpec::name).toList();
    }

    private static List<String> concat(Collection<String> first, Collection<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static Map<String, Config> configsOf(List<String> topics) throws Exception {
        List<ConfigResource> resources = topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic))
                .toList();
        return admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(entry -> entry.getKey().name(), Map.Entry::getValue));
    }
}
