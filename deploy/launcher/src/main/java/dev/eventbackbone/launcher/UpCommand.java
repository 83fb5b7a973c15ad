package dev.eventbackbone.launcher;

import dev.eventbackbone.contracts.events.NotificationChannel;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backbone up}: the whole platform in this JVM, on embedded defaults. */
@Command(name = "up",
        mixinStandardHelpOptions = true,
        description = "Starts the whole platform locally: a Kafka broker (unless --bootstrap-servers is"
                + " given), the schema registry (unless --registry-url is given), creates the catalog's topics,"
                + " registers their schemas, starts the ingest gateway with a development API key, prints what"
                + " runs where, and runs until Ctrl-C.")
final class UpCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR",
            defaultValue = "${env:BACKBONE_DATA_DIR:-.backbone/data}",
            description = "Where the platform keeps its data (kafka/, gateway/, stream-processors/ and audit-store/ below it); kept across restarts."
                    + " Default: $BACKBONE_DATA_DIR, else .backbone/data.")
    Path dataDir;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092",
            description = "Client port of the embedded broker on 127.0.0.1 (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int kafkaPort;

    @Option(names = "--controller-port", paramLabel = "PORT", defaultValue = "9093",
            description = "KRaft controller port of the embedded broker (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int controllerPort;

    @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "8081",
            description = "Port of the schema registry on 127.0.0.1 (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int registryPort;

    @Option(names = "--gateway-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port of the ingest gateway on 127.0.0.1 (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int gatewayPort;

    @Option(names = "--gateway-admin-port", paramLabel = "PORT", defaultValue = "8090",
            description = "Admin port of the ingest gateway (health, metrics; 0 = any free port). Default: ${DEFAULT-VALUE}.")
    int gatewayAdminPort;

    @Option(names = "--audit-store-port", paramLabel = "PORT", defaultValue = "8083",
            description = "Port of the audit store's API on 127.0.0.1 (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int auditStorePort;

    @Option(names = "--audit-store-admin-port", paramLabel = "PORT", defaultValue = "8093",
            description = "Admin port of the audit store (health, metrics; 0 = any free port). Default: ${DEFAULT-VALUE}.")
    int auditStoreAdminPort;

    @Option(names = "--processors-port", paramLabel = "PORT", defaultValue = "8082",
            description = "Port of the stream processors' order and inventory queries on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
    int processorsPort;

    @Option(names = "--processors-admin-port", paramLabel = "PORT", defaultValue = "8092",
            description = "Admin port of the stream processors (health, metrics; 0 = any free port). Default: ${DEFAULT-VALUE}.")
    int processorsAdminPort;

    @Option(names = "--analytics-port", paramLabel = "PORT", defaultValue = "8084",
            description = "Port of the analytics queries on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
    int analyticsPort;

    @Option(names = "--analytics-admin-port", paramLabel = "PORT", defaultValue = "8094",
            description = "Admin port of the analytics service (health, metrics; 0 = any free port). Default: ${DEFAULT-VALUE}.")
    int analyticsAdminPort;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Use this existing Kafka cluster instead of starting the embedded broker.")
    String bootstrapServers;

    @Option(names = "--client-config", paramLabel = "FILE",
            description = "A properties file of client settings for an external cluster or registry:"
                    + " Kafka security (security.protocol, sasl.*, ssl.*) and registry client"
                    + " settings (schema.registry.*, basic.auth.*, bearer.auth.*).")
    Path clientConfig;

    @Option(names = "--services", paramLabel = "NAME[,NAME...]", split = ",",
            defaultValue = "gateway,processors,audit-store,analytics",
            description = "What to start besides Kafka and the schema registry: any of gateway, processors,"
                    + " audit-store, analytics. Default: all of them. E.g. --services gateway to measure the gateway alone.")
    List<String> services;

    @Option(names = "--smtp-port", paramLabel = "PORT", defaultValue = "2525",
            description = "Port of the development SMTP server on 127.0.0.1; each mail lands in DATA/mail."
                    + " Default: ${DEFAULT-VALUE}.")
    int smtpPort;

    @Option(names = "--smtp-server", paramLabel = "HOST:PORT",
            description = "Send email through this SMTP server instead of starting the development one.")
    String smtpServer;

    @Option(names = "--email-rate", paramLabel = "PER_SECOND",
            description = "Emails per second for the whole deployment (burst: a fifth of it). Default: 50.")
    Double emailRate;

    @Option(names = "--sms-rate", paramLabel = "PER_SECOND", description = "SMS per second. Default: 10.")
    Double smsRate;

    @Option(names = "--push-rate", paramLabel = "PER_SECOND", description = "Push messages per second. Default: 200.")
    Double pushRate;

    @Option(names = "--webhook-rate", paramLabel = "PER_SECOND", description = "Webhooks per second. Default: 200.")
    Double webhookRate;

    @Option(names = "--registry-url", paramLabel = "URL",
            description = "Use this Confluent-compatible schema registry instead of starting the embedded one.")
    String registryUrl;

    @Override
    public Integer call() throws Exception {
        LocalPlatform.Settings settings = new LocalPlatform.Settings(
                dataDir.toAbsolutePath(), kafkaPort, controllerPort, registryPort, gatewayPort, gatewayAdminPort,
                auditStorePort, auditStoreAdminPort, processorsPort, processorsAdminPort, analyticsPort, analyticsAdminPort,
                bootstrapServers, registryUrl, ClientConfigFile.load(clientConfig),
                services(), new LocalPlatform.Notifications(smtpPort, smtpServer, rates()));
        CountDownLatch stopped = new CountDownLatch(1);
        LocalPlatform platform = LocalPlatform.start(settings, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping Event Backbone...");
            platform.close();
            System.out.println("Stopped.");
            stopped.countDown();
        }, "backbone-shutdown"));
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        stopped.await();
        return 0;
    }

    private Map<NotificationChannel, Double> rates() {
        Map<NotificationChannel, Double> rates = new EnumMap<>(NotificationChannel.class);
        Map<NotificationChannel, Double> given = new EnumMap<>(NotificationChannel.class);
        given.put(NotificationChannel.EMAIL, emailRate);
        given.put(NotificationChannel.SMS, smsRate);
        given.put(NotificationChannel.PUSH, pushRate);
        given.put(NotificationChannel.WEBHOOK, webhookRate);
        given.forEach((channel, rate) -> {
            if (rate != null) {
                if (rate <= 0) {
                    throw new LaunchException("--" + channel.name().toLowerCase() + "-rate must be above 0; got " + rate);
                }
                rates.put(channel, rate);
            }
        });
        return rates;
    }

    private Set<LocalPlatform.Service> services() {
        Set<LocalPlatform.Service> chosen = EnumSet.noneOf(LocalPlatform.Service.class);
        services.forEach(name -> chosen.add(LocalPlatform.Service.named(name)));
        return chosen;
    }

}
