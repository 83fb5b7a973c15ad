package dev.eventbackbone.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.eventbackbone.analytics.AnalyticsApplication;
import dev.eventbackbone.audit.AuditStoreApplication;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicSpec;
import dev.eventbackbone.ingest.IngestGatewayApplication;
import dev.eventbackbone.processors.StreamProcessorsApplication;
import dev.eventbackbone.registry.SchemaRegistryApplication;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.commons.text.StringSubstitutor;
import org.apache.commons.text.lookup.StringLookupFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The chart as Helm lints and renders it, for its default values and for the production example
 * (deploy/helm/values-production.yaml): every manifest parses strictly into the Kubernetes model,
 * every service's YAML builds into that service's configuration with exactly the environment its pod
 * gets, and the Strimzi topics are the topic catalog's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HelmChartTest {

    private static final Path REPOSITORY = Path.of("..", "..");
    private static final Path PRODUCTION_VALUES = Path.of("values-production.yaml");
    private static final Path TOPICS_FILE = RenderedChart.CHART.resolve("files/topics.yaml");
    private static final String PREFIX = RenderedChart.RELEASE + "-event-backbone-";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> STATEFUL = List.of("processors", "audit-store", "analytics");
    /** A JAAS line as Strimzi writes it, with a password holding what YAML would misread unquoted. */
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"backbone\" password=\"a: b #c\";";

    /** Each YAML the chart carries, the repository file it copies, and the service that reads it. */
    private static final Map<String, ServiceYaml> SERVICE_YAMLS = Map.of(
            "registry.yml", new ServiceYaml("schemas/registry/registry.yml", SchemaRegistryApplication::new),
            "gateway.yml", new ServiceYaml("ingest-gateway/gateway.yml", IngestGatewayApplication::new),
            "stream-processors.yml", new ServiceYaml("stream-processors/stream-processors.yml",
                    StreamProcessorsApplication::new),
            "audit-store.yml", new ServiceYaml("audit-store/audit-store.yml", AuditStoreApplication::new),
            "analytics-rollups.yml", new ServiceYaml("analytics-rollups/analytics-rollups.yml", AnalyticsApplication::new));

    private record ServiceYaml(String repositoryFile, Supplier<Application<? extends Configuration>> application) {
    }

    private RenderedChart defaults;
    private RenderedChart production;

    @BeforeAll
    void render() {
        defaults = RenderedChart.render(null);
        production = RenderedChart.render(PRODUCTION_VALUES);
    }

    @Test
    void helmLintFindsNothingEvenStrict() {
        LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        assertThat(lint.getMessages()).noneMatch(message -> message.contains("[ERROR]") || message.contains("[WARNING]"));
    }

    @Test
    void theDefaultsDeployEveryServiceStatefulWhereItKeepsState() {
        assertThat(names(defaults.all(StatefulSet.class))).containsExactlyInAnyOrderElementsOf(
                STATEFUL.stream().map(PREFIX::concat).toList());
        assertThat(names(defaults.all(Deployment.class))).containsExactlyInAnyOrder(PREFIX + "gateway", PREFIX + "registry");
        assertThat(defaults.named(HorizontalPodAutoscaler.class, PREFIX + "gateway").getSpec().getScaleTargetRef().getName())
                .isEqualTo(PREFIX + "gateway");
        assertThat(names(defaults.all(PodDisruptionBudget.class))).hasSize(5);
        assertThat(defaults.all(Job.class)).singleElement().satisfies(job -> assertThat(
                RenderedChart.onlyContainer(job.getSpec().getTemplate().getSpec()).getArgs()).startsWith("provision"));
        assertThat(defaults.custom("KafkaTopic")).isEmpty();
        assertThat(defaults.all(NetworkPolicy.class)).isEmpty();
    }

    @Test
    void productionRunsThreeOfEachWithTheSpoolOnVolumesAndStrimziTopics() {
        List<StatefulSet> statefulSets = production.all(StatefulSet.class);
        assertThat(names(statefulSets)).containsExactlyInAnyOrder(PREFIX + "gateway", PREFIX + "processors",
                PREFIX + "audit-store", PREFIX + "analytics");
        assertThat(statefulSets).allSatisfy(set -> assertThat(set.getSpec().getReplicas()).isEqualTo(3));
        assertThat(production.find(HorizontalPodAutoscaler.class, PREFIX + "gateway")).isEmpty();
        assertThat(production.all(NetworkPolicy.class)).hasSize(5);
        assertThat(production.custom("ServiceMonitor")).singleElement().satisfies(monitor ->
                assertThat(String.valueOf((Object) monitor.get("spec", "endpoints"))).contains("/prometheus"));
        assertThat(production.custom("KafkaTopic")).hasSize(TopicCatalog.all().size());
    }

    @Test
    void strimziTopicsAreTheCatalogs() {
        Map<String, GenericKubernetesResource> topics = production.custom("KafkaTopic").stream()
                .collect(Collectors.toMap(topic -> (String) topic.get("spec", "topicName"), topic -> topic));
        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(
                TopicCatalog.all().stream().map(TopicSpec::name).toList());
        for (TopicSpec spec : TopicCatalog.all()) {
            GenericKubernetesResource topic = topics.get(spec.name());
            assertThat(topic.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "kafka");
            Map<String, Object> topicSpec = topic.get("spec");
            assertThat(topicSpec).as(spec.name()).containsOnlyKeys("topicName", "partitions", "replicas", "config");
            assertThat(((Number) topicSpec.get("partitions")).intValue()).as(spec.name()).isEqualTo(spec.partitions());
            assertThat(((Number) topicSpec.get("replicas")).intValue()).as(spec.name()).isEqualTo(spec.replicationFactor());
            Map<String, String> config = ((Map<?, ?>) topicSpec.get("config")).entrySet().stream()
                    .collect(Collectors.toMap(e -> (String) e.getKey(), e -> String.valueOf(e.getValue())));
            assertThat(config).as(spec.name()).isEqualTo(spec.topicConfigs());
        }
    }

    /**
     * files/topics.yaml is written from the catalog: run with {@code -Dchart.writeTopics=true} after
     * changing the catalog, and this test passes again.
     */
    @Test
    void theChartsTopicFileIsWrittenFromTheCatalog() throws IOException {
        String expected = topicsFile();
        if (Boolean.getBoolean("chart.writeTopics")) {
            Files.writeString(TOPICS_FILE, expected);
        }
        assertThat(Files.readString(TOPICS_FILE)).as("files/topics.yaml is out of step with the topic catalog;"
                + " run ./mvnw -pl deploy/helm test -Dchart.writeTopics=true").isEqualTo(expected);
    }

    @Test
    void theChartCarriesTheRepositorysServiceYamlsUnchanged() throws IOException {
        for (var entry : SERVICE_YAMLS.entrySet()) {
            assertThat(Files.readString(RenderedChart.CHART.resolve("files/config").resolve(entry.getKey())))
                    .as("files/config/%s differs from %s: copy it again", entry.getKey(), entry.getValue().repositoryFile())
                    .isEqualTo(Files.readString(REPOSITORY.resolve(entry.getValue().repositoryFile())));
        }
    }

    @Test
    void everyRenderedServiceYamlBuildsIntoItsServicesConfigurationWithThePodsEnvironment() throws Exception {
        for (RenderedChart chart : List.of(defaults, production)) {
            Map<String, String> configs = chart.serviceConfigs();
            Map<String, Container> byConfig = new HashMap<>();
            chart.podSpecs().values().stream().map(RenderedChart::onlyContainer)
                    .filter(container -> container.getArgs().get(0).equals("run"))
                    .forEach(container -> byConfig.put(Path.of(container.getArgs().get(3)).getFileName().toString(),
                            container));
            assertThat(byConfig.keySet()).containsExactlyInAnyOrderElementsOf(SERVICE_YAMLS.keySet());
            for (var entry : byConfig.entrySet()) {
                String yaml = configs.get(entry.getKey());
                assertThat(yaml).as(entry.getKey()).isNotNull();
                build(SERVICE_YAMLS.get(entry.getKey()).application().get(), yaml, podEnvironment(entry.getValue()));
            }
        }
    }

    @Test
    void productionKafkaSettingsComeFromSecretsNeverFromTheConfigMap() throws IOException {
        for (var entry : production.serviceConfigs().entrySet()) {
            if (!entry.getKey().endsWith(".yml")) {
                continue;
            }
            JsonNode client = YAML.readTree(entry.getValue()).path("kafka").path("clientProperties");
            assertThat(client.path("security.protocol").asText()).as(entry.getKey()).isEqualTo("SASL_SSL");
            assertThat(client.path("sasl.mechanism").asText()).isEqualTo("SCRAM-SHA-512");
            assertThat(client.path("sasl.jaas.config").asText()).isEqualTo("${KAFKA_SASL_JAAS_CONFIG}");
            assertThat(client.path("ssl.truststore.location").asText()).isEqualTo("/etc/backbone/kafka-tls/ca.p12");
            assertThat(client.path("ssl.truststore.password").asText()).isEqualTo("${KAFKA_SSL_TRUSTSTORE_PASSWORD}");
        }
        assertThat(production.serviceConfigs().get("client.properties"))
                .contains("sasl.jaas.config=${env:KAFKA_SASL_JAAS_CONFIG}", "security.protocol=SASL_SSL",
                        "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        for (PodSpec pod : production.podSpecs().values()) {
            Container container = RenderedChart.onlyContainer(pod);
            EnvVar jaas = container.getEnv().stream()
                    .filter(env -> env.getName().equals("KAFKA_SASL_JAAS_CONFIG")).findFirst().orElseThrow();
            assertThat(jaas.getValueFrom().getSecretKeyRef().getName()).isEqualTo("backbone");
            if (container.getArgs().get(0).equals("run")) {
                String file = Path.of(container.getArgs().get(3)).getFileName().toString();
                JsonNode config = YAML.readTree(substituted(production.serviceConfigs().get(file), podEnvironment(container)));
                assertThat(config.path("kafka").path("clientProperties").path("sasl.jaas.config").asText())
                        .as("%s reads the JAAS line from the Secret unchanged", file).isEqualTo(JAAS);
            }
        }
    }

    @Test
    void theSpoolAloneMakesTheGatewayAStatefulSetOfItsReplicasAndOneServicesConfigStaysItsOwn() throws IOException {
        RenderedChart chart = RenderedChart.render(null, Map.of("gateway.spool.enabled", "true",
                "gateway.config.registry.clientProperties.basic\\.auth\\.user\\.info", "gateway:${GATEWAY_REGISTRY_SECRET}"));
        StatefulSet gateway = chart.named(StatefulSet.class, PREFIX + "gateway");
        assertThat(gateway.getSpec().getReplicas()).as("gateway.replicas, with no autoscaler to own them").isEqualTo(2);
        assertThat(chart.find(HorizontalPodAutoscaler.class, PREFIX + "gateway")).isEmpty();
        assertThat(gateway.getSpec().getVolumeClaimTemplates()).singleElement()
                .satisfies(claim -> assertThat(claim.getSpec().getResources().getRequests().get("storage"))
                        .hasToString("2Gi"));

        Map<String, String> configs = chart.serviceConfigs();
        assertThat(YAML.readTree(configs.get("gateway.yml")).at("/registry/clientProperties").toString())
                .contains("gateway:${GATEWAY_REGISTRY_SECRET}");
        for (String other : List.of("stream-processors.yml", "audit-store.yml", "analytics-rollups.yml")) {
            assertThat(configs.get(other)).as(other).doesNotContain("GATEWAY_REGISTRY_SECRET");
        }
        assertThat(configs.get("client.properties")).doesNotContain("GATEWAY_REGISTRY_SECRET");
    }

    /**
     * Each stateful pod advertises the DNS name its headless Service gives it, on its own port: what
     * Kafka Streams hands the other instances (application.server) to forward queries to the owner.
     */
    @Test
    void statefulPodsAdvertiseTheirStableDnsNameAndAreProbedOnWhatTheyCanServe() throws IOException {
        Map<String, String> configFiles = Map.of("processors", "stream-processors.yml", "audit-store", "audit-store.yml",
                "analytics", "analytics-rollups.yml");
        for (String component : STATEFUL) {
            StatefulSet set = production.named(StatefulSet.class, PREFIX + component);
            Service headless = production.named(Service.class, set.getSpec().getServiceName());
            assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
            assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
            assertThat(set.getSpec().getVolumeClaimTemplates()).singleElement()
                    .satisfies(claim -> assertThat(claim.getMetadata().getName()).isEqualTo("data"));

            Container container = RenderedChart.onlyContainer(set.getSpec().getTemplate().getSpec());
            String advertised = YAML.readTree(production.serviceConfigs().get(configFiles.get(component)))
                    .path("advertisedUrl").asText();
            URI resolved = URI.create(advertised.replace("${POD_NAME}", set.getMetadata().getName() + "-0")
                    .replace("${POD_NAMESPACE}", RenderedChart.NAMESPACE));
            assertThat(resolved.getHost()).isEqualTo(set.getMetadata().getName() + "-0." + headless.getMetadata().getName()
                    + "." + RenderedChart.NAMESPACE + ".svc");
            assertThat(container.getPorts()).anySatisfy(port -> {
                assertThat(port.getName()).isEqualTo("http");
                assertThat(port.getContainerPort()).isEqualTo(resolved.getPort());
            });

            assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/ping");
            assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/ping");
            assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
            assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
            assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(container.getVolumeMounts()).anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/tmp"));
            assertThat(set.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        }
    }

    @Test
    void aMisspeltFieldFailsTheStrictParse() {
        String manifest = """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: typo}
                spec:
                  replica: 3
                  serviceName: typo
                  selector: {matchLabels: {app: typo}}
                  template:
                    metadata: {labels: {app: typo}}
                    spec:
                      containers: [{name: c, image: i, imagePullPolicy: Always, livenesProbe: {}}]
                """;
        assertThatThrownBy(() -> StrictKubernetesModel.parse(manifest))
                .hasMessageContaining("StatefulSet.spec.replica")
                .hasMessageContaining("StatefulSet.spec.template.spec.containers[0].livenesProbe");
    }

    private static List<String> names(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> objects) {
        return objects.stream().map(object -> object.getMetadata().getName()).toList();
    }

    /** The container's environment: literal values as given, values from Secrets or the pod as stand-ins. */
    private static Map<String, String> podEnvironment(Container container) {
        Map<String, String> environment = new HashMap<>();
        for (EnvVar variable : container.getEnv()) {
            environment.put(variable.getName(), variable.getValue() != null ? variable.getValue()
                    : variable.getName().equals("KAFKA_SASL_JAAS_CONFIG") ? JAAS : "from-" + variable.getName());
        }
        return environment;
    }

    private static String substituted(String yaml, Map<String, String> environment) {
        StringSubstitutor substitutor = new StringSubstitutor(StringLookupFactory.INSTANCE.mapStringLookup(environment));
        substitutor.setEnableUndefinedVariableException(true);
        return substitutor.replace(yaml);
    }

    /**
     * Builds the configuration as the service would at start, with Dropwizard's own factory (unknown
     * fields and invalid values fail), every {@code ${VAR}} without a default required in the environment.
     */
    private static <C extends Configuration> void build(Application<C> application, String yaml,
                                                       Map<String, String> environment) throws Exception {
        Bootstrap<C> bootstrap = new Bootstrap<>(application);
        application.initialize(bootstrap);
        StringSubstitutor substitutor = new StringSubstitutor(StringLookupFactory.INSTANCE.mapStringLookup(environment));
        substitutor.setEnableUndefinedVariableException(true);
        bootstrap.getConfigurationFactoryFactory().create(application.getConfigurationClass(),
                        bootstrap.getValidatorFactory().getValidator(), bootstrap.getObjectMapper(), "dw")
                .build(new SubstitutingSourceProvider(path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                        substitutor), application.getName() + " from the chart");
    }

    /** files/topics.yaml as the catalog gives it: name, partitions and configuration of every topic. */
    private static String topicsFile() {
        StringBuilder file = new StringBuilder("# Written from the topic catalog (TopicCatalog) by HelmChartTest; do not edit.\n"
                + "# templates/kafka-topics.yaml turns each entry into a Strimzi KafkaTopic.\ntopics:\n");
        for (TopicSpec spec : TopicCatalog.all()) {
            file.append("  - name: ").append(spec.name()).append('\n')
                    .append("    partitions: ").append(spec.partitions()).append('\n')
                    .append("    config:\n");
            new TreeMap<>(spec.topicConfigs()).forEach((key, value) ->
                    file.append("      ").append(key).append(": \"").append(value).append("\"\n"));
        }
        return file.toString();
    }
}
