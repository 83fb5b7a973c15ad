package dev.eventbackbone.launcher;

import dev.eventbackbone.analytics.AnalyticsApplication;
import dev.eventbackbone.audit.AuditStoreApplication;
import dev.eventbackbone.ingest.IngestGatewayApplication;
import dev.eventbackbone.processors.StreamProcessorsApplication;
import dev.eventbackbone.registry.SchemaRegistryApplication;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code backbone run <service> --config FILE}: one service in this JVM from its YAML, against the
 * Kafka cluster and registry the YAML names (its {@code ${VAR:-default}} placeholders are filled
 * from the environment). What the container image runs, one service per container.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = "Starts one service from its YAML (placeholders such as ${KAFKA_BOOTSTRAP_SERVERS} filled from"
                + " the environment), against the Kafka cluster and registry it names, until stopped: what the"
                + " container image runs. The YAMLs in the repository (registry.yml, gateway.yml,"
                + " stream-processors.yml, audit-store.yml, analytics-rollups.yml) are the starting point.")
final class RunCommand implements Callable<Integer> {

    /** The services one process can run, by the name {@code run} takes. */
    enum Service {
        REGISTRY("registry", SchemaRegistryApplication::new),
        GATEWAY("gateway", IngestGatewayApplication::new),
        PROCESSORS("processors", StreamProcessorsApplication::new),
        AUDIT_STORE("audit-store", AuditStoreApplication::new),
        ANALYTICS("analytics", AnalyticsApplication::new);

        private final String serviceName;
        private final Supplier<Application<? extends Configuration>> application;

        Service(String serviceName, Supplier<Application<? extends Configuration>> application) {
            this.serviceName = serviceName;
            this.application = application;
        }

        static Service named(String name) {
            return Arrays.stream(values()).filter(service -> service.serviceName.equals(name)).findFirst()
                    .orElseThrow(() -> new LaunchException("run takes one of " + String.join(", ",
                            Arrays.stream(values()).map(service -> service.serviceName).toList()) + "; '" + name
                            + "' is none of them."));
        }
    }

    @Parameters(index = "0", paramLabel = "SERVICE",
            description = "registry, gateway, processors, audit-store or analytics.")
    String service;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The service's YAML.")
    Path config;

    @Override
    public Integer call() throws Exception {
        Service chosen = Service.named(service);
        if (!Files.isReadable(config)) {
            throw new LaunchException("--config " + config + " is not a readable file.");
        }
        DropwizardServer server = DropwizardServer.startFromYaml(chosen.application.get(), config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("Stopping " + server + " failed: " + e);
            }
        }, "stop-" + service));
        // main exits with the command's code once it returns: this thread waits for good instead, and
        // SIGTERM stops the service through the hook above.
        Thread.currentThread().join();
        return 0;
    }
}
