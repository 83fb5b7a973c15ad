package dev.eventbackbone.launcher;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.registry.SchemaRegistryClientConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backbone provision}: prepares an existing Kafka cluster and registry for the services,
 * once before they first start and again after an upgrade: what a deployment runs before
 * {@code backbone run}.
 */
@Command(name = "provision",
        mixinStandardHelpOptions = true,
        description = "Creates the catalog's topics that are missing on an existing Kafka cluster (and reports those"
                + " whose settings differ) and registers every topic's value schema with the registry; the services"
                + " never create topics themselves. Safe to run again.")
final class ProvisionCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]",
            description = "The Kafka cluster.")
    String bootstrapServers;

    @Option(names = "--registry-url", required = true, paramLabel = "URL",
            description = "The Confluent-compatible schema registry.")
    String registryUrl;

    @Option(names = "--client-config", paramLabel = "FILE",
            description = "A properties file of client settings: Kafka security (security.protocol, sasl.*, ssl.*) and"
                    + " registry client settings (schema.registry.*, basic.auth.*, bearer.auth.*).")
    Path clientConfig;

    @Override
    public Integer call() throws Exception {
        Map<String, String> settings = ClientConfigFile.load(clientConfig);
        Map<String, Object> kafka = new HashMap<>(LocalPlatform.selectClientConfig(settings, false));
        kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Map<String, Object> registry = new HashMap<>(LocalPlatform.selectClientConfig(settings, true));
        registry.put(SchemaRegistryClientConfig.URL, registryUrl);
        LocalPlatform.Provisioned provisioned = LocalPlatform.provision(kafka, SchemaRegistryClient.fromConfig(registry));
        System.out.printf("topics    %d in the catalog, %d created now%n", TopicCatalog.all().size(),
                provisioned.report().created().size());
        provisioned.report().mismatches().forEach(mismatch -> System.out.println("  MISMATCH " + mismatch));
        System.out.printf("subjects  %d registered (<topic>-value)%n", provisioned.subjects());
        return provisioned.report().mismatches().isEmpty() ? 0 : 2;
    }
}
