package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.OrderEvent;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.embeddedkafka.KafkaNodeProcess;
import dev.eventbackbone.testing.AvroRecords;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import dev.eventbackbone.testing.WebhookReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole platform on a three-broker cluster (replication 3, {@code min.insync.replicas} 2), each
 * broker and each service in a JVM of its own, started as the container image starts it: one
 * gateway, two instances of each stateful service. Load flows through the gateway on all four
 * streams while first a broker and then one instance of each stateful service is killed with
 * {@code kill -9} and started again. Afterwards nothing the gateway acknowledged is missing, no
 * order command is answered twice, no notification is delivered under two ids, every tenant's audit
 * log verifies, and analytics equal a recount of what was acknowledged. Queries run throughout.
 * Run with {@code -Pdrill}; its figures are in docs/reliability.md.
 */
class PlatformDrillIT {

    private static final Path REPOSITORY = Path.of("..", "..");
    private static final Duration DRAIN = Duration.ofMinutes(5);
    private static final Duration SERVICE_START = Duration.ofMinutes(5);
    private static final List<String> TENANTS = List.of("drill-a", "drill-b");
    private static final List<String> STATEFUL = List.of("processors", "audit-store", "analytics");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final int BROKERS = 3;

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    private final Map<String, String> figures = new LinkedHashMap<>();

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void nothingAcknowledgedIsLostWhenABrokerAndAnInstanceOfEachServiceAreKilled() throws Exception {
        List<Integer> brokerPorts = IntStream.range(0, BROKERS).mapToObj(i -> FreePorts.next()).toList();
        List<Integer> controllerPorts = IntStream.range(0, BROKERS).mapToObj(i -> FreePorts.next()).toList();
        String bootstrap = brokerPorts.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        List<ServiceProcess> brokers = new ArrayList<>(processes.startTogether(IntStream.range(0, BROKERS)
                .mapToObj(node -> ServiceProcess.java(KafkaNodeProcess.class, String.valueOf(node),
                                dir.resolve("kafka").toString(), clusterId, join(brokerPorts), join(controllerPorts))
                        .log(dir.resolve("kafka-" + node + ".log")).heap("768m")
                        .readyWhenLogContains(KafkaNodeProcess.STARTED + node).startTimeout(SERVICE_START))
                .toList()));

        int registryPort = FreePorts.next();
        String registryUrl = "http://127.0.0.1:" + registryPort;
        start("registry", "registry", "schemas/registry/registry.yml", registryUrl + "/admin/healthcheck", Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrap, "REGISTRY_PORT", String.valueOf(registryPort)));
        ServiceProcess.Completed provisioned = LauncherProcess.command(dir.resolve("provision.log"), List.of(
                "provision", "--bootstrap-servers", bootstrap, "--registry-url", registryUrl))
                .run(LauncherProcess.COMMAND_TIMEOUT);
        assertThat(provisioned.exitCode()).as(provisioned.output()).isZero();
        try (Admin admin = admin(bootstrap)) {
            assertThat(underReplicated(admin)).as("every catalog topic has 3 replicas in sync").isEmpty();
        }

        Path keys = dir.resolve("keys.yml");
        Map<String, String> keysByTenant = new LinkedHashMap<>();
        for (String tenant : TENANTS) {
            keysByTenant.put(tenant, ApiKeyStore.create(keys, tenant, List.of("ingest:*", "read:*"), null).secret());
        }
        Path signingKey = dir.resolve("signing-key.pem");
        assertThat(LauncherProcess.command(dir.resolve("keygen.log"), List.of("audit", "keygen", "--out",
                signingKey.toString())).run(LauncherProcess.COMMAND_TIMEOUT).exitCode()).isZero();
        Map<String, String> common = Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "SCHEMA_REGISTRY_URL", registryUrl,
                "BACKBONE_KEYS_FILE", keys.toString());

        int gatewayPort = FreePorts.next();
        int gatewayAdmin = FreePorts.next();
        start("gateway", "gateway", "ingest-gateway/gateway.yml", "http://127.0.0.1:" + gatewayAdmin + "/healthcheck",
                with(common, "GATEWAY_KEYS_FILE", keys.toString(), "GATEWAY_SPOOL_DIR", dir.resolve("spool").toString(),
                        "GATEWAY_PORT", String.valueOf(gatewayPort), "GATEWAY_ADMIN_PORT", String.valueOf(gatewayAdmin)));

        WebhookReceiver webhooks = new WebhookReceiver();
        Map<String, List<String>> webhookSecrets = new HashMap<>();
        TENANTS.forEach(tenant -> webhookSecrets.put(tenant, List.of(webhookSecret())));
        Map<String, List<ServiceProcess>> instances = new LinkedHashMap<>();
        Map<String, List<String>> urls = new LinkedHashMap<>();
        for (int instance = 0; instance < 2; instance++) {
            startStateful(instances, urls, "processors", "stream-processors/stream-processors.yml", instance, common,
                    "PROCESSORS", Map.of("PROCESSORS_STATE_DIR", dir.resolve("processors-" + instance).toString()),
                    yaml -> ((ObjectNode) yaml.path("notifications").path("webhook")).set("secrets",
                            YAML.valueToTree(webhookSecrets)));
            startStateful(instances, urls, "audit-store", "audit-store/audit-store.yml", instance, common, "AUDIT_STORE",
                    Map.of("AUDIT_STORE_DATA", dir.resolve("audit-store-" + instance).toString(),
                            "AUDIT_STORE_SIGNING_KEY", signingKey.toString(),
                            "AUDIT_STORE_KEY_HISTORY", dir.resolve("key-history.jsonl").toString()), yaml -> { });
            startStateful(instances, urls, "analytics", "analytics-rollups/analytics-rollups.yml", instance, common,
                    "ANALYTICS", Map.of("ANALYTICS_STATE_DIR", dir.resolve("analytics-" + instance).toString()), yaml -> { });
        }

        String gateway = "http://127.0.0.1:" + gatewayPort;
        Instant loadStarted = Instant.now();
        DrillLoad load = new DrillLoad(gateway, keysByTenant);
        load.prepare(webhooks.url("/hook"));
        Map<String, String> queried = STATEFUL.stream().collect(Collectors.toMap(Function.identity(),
                service -> urls.get(service).get(0)));
        try (webhooks; load; DrillQueries queries = new DrillQueries(queried, keysByTenant,
                loadStarted.minus(Duration.ofMinutes(5)), () -> Instant.now().plus(Duration.ofMinutes(5)))) {
            load.start();
            awaitMoreAccepted(load, 400, "steady load");

            queries.phase("broker 2 killed");
            long killed = System.nanoTime();
            brokers.get(2).killHard();
            awaitMoreAccepted(load, 400, "load with broker 2 down");
            queries.phase("broker 2 restarted");
            brokers.set(2, processes.restart(brokers.get(2)));
            try (Admin admin = admin(bootstrap)) {
                Awaitility.await("broker 2 back in every ISR").atMost(DRAIN).pollInterval(Duration.ofSeconds(1))
                        .until(() -> underReplicated(admin).isEmpty());
            }
            figures.put("broker 2: kill -9 to every partition fully replicated again", seconds(killed));

            for (String service : STATEFUL) {
                queries.phase(service + " instance 1 killed");
                long serviceKilled = System.nanoTime();
                ServiceProcess victim = instances.get(service).get(1);
                victim.killHard();
                awaitMoreAccepted(load, 300, "load with " + service + " instance 1 down");
                queries.phase(service + " instance 1 restarted");
                instances.get(service).set(1, processes.restart(victim));
                figures.put(service + " instance 1: kill -9 to healthy again", seconds(serviceKilled));
            }
            queries.phase("after");
            awaitMoreAccepted(load, 300, "load after the drill");
            load.stop();
            figures.put("events acknowledged", String.valueOf(load.acceptedCount()));
            figures.put("posts not acknowledged (stream status: count)", String.valueOf(new TreeMap<>(load.refused())));

            AvroRecords avro = new AvroRecords(bootstrap, registryUrl);
            everyAcknowledgedEventIsOnItsTopic(avro, load);
            everyOrderCommandIsAnsweredOnce(avro, load);
            everyNotificationIsDeliveredUnderOneId(webhooks, load);
            everyTenantsAuditLogVerifies(urls.get("audit-store"), keysByTenant, load);
            analyticsEqualARecount(urls.get("analytics"), keysByTenant, load, loadStarted);
            queries.stop();
            everyQueryIsAnsweredOrRefusedWithAReason(queries.outcomes());
        } finally {
            System.out.println("Platform drill figures:");
            figures.forEach((name, value) -> System.out.println("  " + name + ": " + value));
        }
    }

    private void everyAcknowledgedEventIsOnItsTopic(AvroRecords avro, DrillLoad load) {
        Map<String, String> topics = Map.of(DrillLoad.AUDIT, TopicCatalog.AUDIT_RAW, DrillLoad.ORDERS,
                TopicCatalog.ORDERS_COMMANDS, DrillLoad.NOTIFICATIONS, TopicCatalog.NOTIFICATIONS_REQUESTS,
                DrillLoad.ANALYTICS, TopicCatalog.ANALYTICS_EVENTS);
        topics.forEach((stream, topic) -> {
            Set<String> acknowledged = load.accepted(stream).stream().map(DrillLoad.Accepted::eventId)
                    .collect(Collectors.toSet());
            // The topic holds more than the drill's events (the order flow asks for notifications itself).
            List<ConsumerRecord<String, Object>> records = avro.read(topic).timeout(DRAIN).awaitUntil(
                    "every event acknowledged on " + stream + " on " + topic,
                    read -> eventIds(read).containsAll(acknowledged));
            // Copies that the gateway's spool may write (docs/ingest.md): each consumer must count them once.
            figures.put("copies of an event on " + topic, String.valueOf(records.size() - eventIds(records).size()));
        });
    }

    private void everyOrderCommandIsAnsweredOnce(AvroRecords avro, DrillLoad load) {
        Set<String> commands = load.accepted(DrillLoad.ORDERS).stream().map(DrillLoad.Accepted::ref)
                .collect(Collectors.toSet());
        long started = System.nanoTime();
        List<OrderEvent> events = avro.read(TopicCatalog.ORDERS_EVENTS).timeout(DRAIN)
                .awaitUntil("every acknowledged command answered", records -> answered(records).containsAll(commands))
                .stream().map(record -> (OrderEvent) record.value()).toList();
        figures.put("orders: last command answered after the load stopped", seconds(started));
        assertThat(events.stream().map(OrderEvent::getEventId).distinct().count()).as("no order event twice")
                .isEqualTo(events.size());
        Map<String, Long> answersPerCommandAndStatus = events.stream().collect(Collectors.groupingBy(
                event -> event.getCommandId() + " " + event.getStatus(), Collectors.counting()));
        assertThat(answersPerCommandAndStatus).as("no command answered twice").allSatisfy((command, count) ->
                assertThat(count).as(command).isEqualTo(1));
        assertThat(events).filteredOn(OrderEvent::getCommandRefused).isEmpty();
        figures.put("order commands answered", String.valueOf(commands.size()));
    }

    private void everyNotificationIsDeliveredUnderOneId(WebhookReceiver webhooks, DrillLoad load) {
        Set<String> sent = load.accepted(DrillLoad.NOTIFICATIONS).stream().map(DrillLoad.Accepted::ref)
                .collect(Collectors.toSet());
        long started = System.nanoTime();
        Awaitility.await("every acknowledged notification delivered").atMost(DRAIN).pollInterval(Duration.ofSeconds(1))
                .until(() -> idsByRef(webhooks).keySet().containsAll(sent));
        figures.put("notifications: last one delivered after the load stopped", seconds(started));
        Map<String, Set<String>> idsByRef = idsByRef(webhooks);
        assertThat(idsByRef).as("each notification delivered under one webhook-id")
                .allSatisfy((ref, ids) -> assertThat(ids).as(ref).hasSize(1));
        assertThat(idsByRef.keySet()).as("nothing delivered that was not acknowledged").isSubsetOf(sent);
        figures.put("notifications delivered", sent.size() + " (" + webhooks.deliveries().size()
                + " webhook calls; a repeat carries the same webhook-id)");
    }

    /** The webhook-ids each notification arrived under, by the drill's reference in its data. */
    private static Map<String, Set<String>> idsByRef(WebhookReceiver webhooks) {
        return webhooks.deliveries().stream().collect(Collectors.groupingBy(
                delivery -> Http.json(delivery.body()).findValue("ref").asText(),
                Collectors.mapping(delivery -> delivery.header("webhook-id"), Collectors.toSet())));
    }

    private void everyTenantsAuditLogVerifies(List<String> auditStores, Map<String, String> keysByTenant,
                                              DrillLoad load) throws IOException {
        for (var tenant : keysByTenant.entrySet()) {
            String key = tenant.getValue();
            String audit = auditStores.get(0) + "/v1/audit";
            List<DrillLoad.Accepted> acknowledged = load.accepted(DrillLoad.AUDIT, tenant.getKey());
            Awaitility.await("the audit log of " + tenant.getKey()).atMost(DRAIN).ignoreExceptions()
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> Http.getJson(audit + "/heads/latest", key).path("treeSize").asLong()
                            >= acknowledged.size());
            JsonNode verified = Http.getJson(audit + "/verify", key);
            assertThat(verified.path("verified").asBoolean()).as(verified.toString()).isTrue();
            assertThat(verified.path("leavesChecked").asLong()).as("one leaf per acknowledged event, none twice")
                    .isEqualTo(acknowledged.size());

            Path export = dir.resolve(tenant.getKey() + "-export.jsonl");
            Files.writeString(export, Http.getText(audit + "/export", key));
            Set<String> exported = Files.readAllLines(export).stream().filter(line -> !line.isBlank())
                    .map(Http::json).filter(line -> line.has("leafHash"))
                    .map(leaf -> leaf.findValue("eventId").asText()).collect(Collectors.toSet());
            assertThat(exported).containsAll(acknowledged.stream().map(DrillLoad.Accepted::eventId).toList());
            Path publicKey = dir.resolve("audit-key.pem");
            Files.writeString(publicKey, Http.getText(audit + "/public-key.pem", null));
            Path head = dir.resolve(tenant.getKey() + "-head.json");
            Files.writeString(head, Http.getText(audit + "/heads/latest", key));
            ServiceProcess.Completed check = LauncherProcess.command(dir.resolve(tenant.getKey() + "-verify.log"),
                    List.of("audit", "verify", export.toString(), "--public-key", publicKey.toString(), "--head",
                            head.toString())).run(LauncherProcess.COMMAND_TIMEOUT);
            assertThat(check.exitCode()).as(check.output()).isZero();
            assertThat(check.output()).contains("VERIFIED: tenant " + tenant.getKey());
        }
        figures.put("audit events in verified logs", String.valueOf(load.accepted(DrillLoad.AUDIT).size()));
    }

    /** Every instance answers the summary with the count of acknowledged events, whichever instance owns it. */
    private void analyticsEqualARecount(List<String> analytics, Map<String, String> keysByTenant, DrillLoad load,
                                        Instant loadStarted) {
        String range = "&from=" + loadStarted.minus(Duration.ofMinutes(5)) + "&to=" + Instant.now().plus(Duration.ofMinutes(5));
        long started = System.nanoTime();
        for (var tenant : keysByTenant.entrySet()) {
            long recount = load.accepted(DrillLoad.ANALYTICS, tenant.getKey()).size();
            for (String instance : analytics) {
                String summary = instance + "/v1/analytics/summary?name=" + DrillLoad.analyticsName(tenant.getKey()) + range;
                Awaitility.await("analytics of " + tenant.getKey() + " at " + instance).atMost(DRAIN).ignoreExceptions()
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> Http.getJson(summary, tenant.getValue()).path("count").asLong() >= recount);
                assertThat(Http.getJson(summary, tenant.getValue()).path("count").asLong()).as(summary).isEqualTo(recount);
            }
        }
        figures.put("analytics: counts equal the recount after the load stopped", seconds(started));
    }

    /**
     * Queries are answered (200, or 404 for what does not exist yet) except while the data's owner is
     * gone or restoring, when the answer is a 503 that says so (docs/reliability.md): never another
     * error, never no answer. Before anything is killed every query is answered.
     */
    private void everyQueryIsAnsweredOrRefusedWithAReason(List<DrillQueries.Outcome> outcomes) {
        Map<String, Map<String, long[]>> byPhase = new LinkedHashMap<>();
        for (DrillQueries.Outcome outcome : outcomes) {
            long[] counts = byPhase.computeIfAbsent(outcome.phase(), phase -> new TreeMap<>())
                    .computeIfAbsent(outcome.service(), service -> new long[2]);
            counts[outcome.answered() ? 0 : 1]++;
        }
        byPhase.forEach((phase, services) -> figures.put("queries during \"" + phase + "\" (answered/503)",
                services.entrySet().stream().map(entry -> entry.getKey() + " " + entry.getValue()[0] + "/"
                        + entry.getValue()[1]).collect(Collectors.joining(", "))));
        Map<String, Long> reasons = outcomes.stream().filter(outcome -> !outcome.answered()).collect(Collectors.groupingBy(
                outcome -> outcome.service() + " " + outcome.status() + " " + reason(outcome.body()), TreeMap::new,
                Collectors.counting()));
        reasons.forEach((reason, count) -> figures.put("refused: " + reason, String.valueOf(count)));
        assertThat(outcomes).as("queries made").isNotEmpty();
        assertThat(outcomes).filteredOn(outcome -> !outcome.answered())
                .allSatisfy(outcome -> {
                    assertThat(outcome.status()).as(outcome.toString()).isEqualTo(503);
                    assertThat(outcome.body()).as(outcome.toString()).contains("\"error\"");
                });
        assertThat(outcomes).filteredOn(outcome -> outcome.phase().equals("steady"))
                .as("before anything is killed every query is answered").allSatisfy(outcome ->
                        assertThat(outcome.answered()).as(outcome.toString()).isTrue());
    }

    private void startStateful(Map<String, List<ServiceProcess>> instances, Map<String, List<String>> urls,
                               String service, String yaml, int instance, Map<String, String> common, String prefix,
                               Map<String, String> own, Consumer<ObjectNode> adjust) throws IOException {
        int port = FreePorts.next();
        int admin = FreePorts.next();
        String url = "http://127.0.0.1:" + port;
        ObjectNode config = (ObjectNode) YAML.readTree(REPOSITORY.resolve(yaml).toFile());
        config.put("advertisedUrl", url);
        adjust.accept(config);
        Path file = dir.resolve(service + "-" + instance + ".yml");
        YAML.writeValue(file.toFile(), config);
        Map<String, String> environment = new HashMap<>(common);
        environment.putAll(own);
        environment.put(prefix + "_PORT", String.valueOf(port));
        environment.put(prefix + "_ADMIN_PORT", String.valueOf(admin));
        instances.computeIfAbsent(service, s -> new ArrayList<>()).add(
                start(service + "-" + instance, service, file.toString(), "http://127.0.0.1:" + admin + "/healthcheck",
                        environment));
        urls.computeIfAbsent(service, s -> new ArrayList<>()).add(url);
    }

    /** {@code backbone run <service> --config <yaml>}, exactly as the container image runs it, ready when healthy. */
    private ServiceProcess start(String name, String service, String yaml, String healthUrl,
                                 Map<String, String> environment) {
        Path config = Path.of(yaml).isAbsolute() ? Path.of(yaml) : REPOSITORY.resolve(yaml);
        return processes.start(LauncherProcess.run(dir.resolve(name + ".log"), service, config, environment, healthUrl)
                .heap("512m").startTimeout(SERVICE_START));
    }

    private static void awaitMoreAccepted(DrillLoad load, int more, String what) {
        int target = load.acceptedCount() + more;
        Awaitility.await(what + ": " + more + " more events acknowledged").atMost(DRAIN)
                .pollInterval(Duration.ofMillis(200)).until(() -> load.acceptedCount() >= target);
    }

    /** A refusal's error code and message, without the parts that differ between instances and keys. */
    private static String reason(String body) {
        try {
            JsonNode error = Http.json(body);
            return error.path("error").asText() + ": " + error.path("message").asText()
                    .replaceAll("https?://[^ ,;)]+", "<url>").replaceAll("\\d+", "<n>");
        } catch (RuntimeException notJson) {
            return body;
        }
    }

    private static Set<String> eventIds(List<ConsumerRecord<String, Object>> records) {
        return records.stream().map(record -> (IndexedRecord) record.value())
                .map(value -> String.valueOf(value.get(value.getSchema().getField("eventId").pos())))
                .collect(Collectors.toSet());
    }

    private static Set<String> answered(List<ConsumerRecord<String, Object>> records) {
        return records.stream().map(record -> ((OrderEvent) record.value()).getCommandId()).collect(Collectors.toSet());
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** Partitions of the catalog's topics with fewer than three replicas in sync. */
    private static List<String> underReplicated(Admin admin) throws Exception {
        List<String> names = TopicCatalog.all().stream().map(spec -> spec.name()).toList();
        Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        return topics.values().stream().flatMap(topic -> topic.partitions().stream()
                        .filter(partition -> partition.isr().size() < BROKERS)
                        .map(partition -> topic.name() + "-" + partition.partition()))
                .toList();
    }

    private static Map<String, String> with(Map<String, String> common, String... pairs) {
        Map<String, String> environment = new HashMap<>(common);
        for (int i = 0; i < pairs.length; i += 2) {
            environment.put(pairs[i], pairs[i + 1]);
        }
        return environment;
    }

    private static String join(List<Integer> ports) {
        return ports.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String seconds(long startedNanos) {
        return String.format("%.1f s", (System.nanoTime() - startedNanos) / 1e9);
    }

    private static String webhookSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }
}
