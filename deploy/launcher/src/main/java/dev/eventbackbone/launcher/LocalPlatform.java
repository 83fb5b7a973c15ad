package dev.eventbackbone.launcher;

import dev.eventbackbone.analytics.AnalyticsApplication;
import dev.eventbackbone.analytics.AnalyticsConfiguration;
import dev.eventbackbone.audit.AuditStoreApplication;
import dev.eventbackbone.audit.AuditStoreConfiguration;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.ProvisioningReport;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.catalog.TopicProvisioner;
import dev.eventbackbone.contracts.catalog.TopicSpec;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.registry.SchemaRegistryClientConfig;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaCluster;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.ingest.IngestGatewayApplication;
import dev.eventbackbone.ingest.IngestGatewayConfiguration;
import dev.eventbackbone.processors.StreamProcessorsApplication;
import dev.eventbackbone.processors.StreamProcessorsConfiguration;
import dev.eventbackbone.processors.notifications.NotificationSettings;
import dev.eventbackbone.processors.notifications.Templates;
import dev.eventbackbone.registry.SchemaRegistryApplication;
import dev.eventbackbone.registry.SchemaRegistryConfiguration;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform as {@code backbone up} runs it: each part started in dependency order (broker,
 * registry, topics, schemas, ingest gateway, stream processors, audit store, analytics), each stopped in reverse. Parts given by URL or bootstrap address
 * are used instead of being started.
 */
public final class LocalPlatform implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPlatform.class);
    public static final String DEV_KEY_FILE = "dev-api-key";
    private static final String AUDIT_SIGNING_KEY = "signing-key.pem";
    private static final List<String> DEV_SCOPES = List.of("ingest:*", "read:audit", "erase:audit", "read:orders",
            "read:notifications", "read:analytics");
    private static final String WEBHOOK_SECRET_FILE = "webhook-secret";
    private static final String DEV_TENANT = "dev";
    private static final Set<String> REGISTRY_CLIENT_KEYS = SchemaRegistryClientConfig.configDef().names();

    /** What {@link #provision} did: the topics' report and how many subjects it registered. */
    record Provisioned(ProvisioningReport report, int subjects) {
    }

    /**
     * What a cluster needs before any service starts: the catalog's topics, created where missing
     * and checked where present, and every topic's value schema registered under {@code <topic>-value}.
     */
    static Provisioned provision(Map<String, Object> kafkaClientConfig, SchemaRegistryClient registry) {
        ProvisioningReport report;
        try (Admin admin = Admin.create(kafkaClientConfig)) {
            report = TopicProvisioner.forCluster(admin).provision(TopicCatalog.all());
        }
        report.notes().forEach(note -> LOG.info("topics: {}", note));
        report.mismatches().forEach(mismatch -> LOG.warn("topic mismatch: {}", mismatch));
        int subjects = 0;
        for (TopicSpec topic : TopicCatalog.all()) {
            registry.register(topic.name() + "-value", topic.valueSchema());
            subjects++;
        }
        return new Provisioned(report, subjects);
    }

    /**
     * The registry client's settings of a client config ({@code registryKeys}), as its own config
     * definition names them, or every other one (Kafka's).
     */
    static Map<String, String> selectClientConfig(Map<String, String> clientConfig, boolean registryKeys) {
        Map<String, String> selected = new HashMap<>();
        clientConfig.forEach((key, value) -> {
            if (REGISTRY_CLIENT_KEYS.contains(key) == registryKeys) {
                selected.put(key, value);
            }
        });
        return selected;
    }

    /** The services {@code backbone up} can start on top of Kafka and the registry, by the names {@code --services} takes. */
    public enum Service {
        GATEWAY("gateway"), PROCESSORS("processors"), AUDIT_STORE("audit-store"), ANALYTICS("analytics");

        private final String flagName;

        Service(String flagName) {
            this.flagName = flagName;
        }

        public String flagName() {
            return flagName;
        }

        /** The service a {@code --services} name stands for. */
        public static Service named(String name) {
            for (Service service : values()) {
                if (service.flagName.equals(name.trim())) {
                    return service;
                }
            }
            throw new LaunchException("--services takes " + String.join(", ", EnumSet.allOf(Service.class).stream()
                    .map(Service::flagName).toList()) + "; '" + name.trim() + "' is none of them.");
        }
    }

    /**
     * What {@code backbone up} was asked for; null bootstrap/registry means start the embedded one.
     *
     * @param services what to start besides Kafka and the registry
     */
    public record Settings(Path dataDir, int kafkaPort, int controllerPort, int registryPort, int gatewayPort,
                    int gatewayAdminPort, int auditStorePort, int auditStoreAdminPort, int processorsPort,
                    int processorsAdminPort, int analyticsPort, int analyticsAdminPort,
                    String bootstrapServers, String registryUrl, Map<String, String> clientConfig,
                    Set<Service> services, Notifications notifications) {

        /** A fresh embedded platform in {@code dir} on free ports, with the given services: for benchmarks. */
        public static Settings onFreePorts(Path dir, Set<Service> services) {
            Set<Integer> taken = new HashSet<>();
            int[] ports = new int[12];
            for (int i = 0; i < ports.length; i++) {
                ports[i] = FreePorts.nextExcept(taken);
                taken.add(ports[i]);
            }
            return new Settings(dir, ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], ports[6], ports[7],
                    ports[8], ports[10], ports[11], null, null, Map.of(), services,
                    new Notifications(ports[9], null, Map.of()));
        }

        /** Client settings for Kafka (security and tuning), without the bootstrap address. */
        Map<String, String> kafkaSettings() {
            return selectClientConfig(false);
        }

        Map<String, Object> kafkaClientConfig(String bootstrap) {
            Map<String, Object> config = new HashMap<>(kafkaSettings());
            config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            return config;
        }

        Map<String, Object> registryClientConfig(String url) {
            Map<String, Object> config = new HashMap<>(selectClientConfig(true));
            config.put(SchemaRegistryClientConfig.URL, url);
            return config;
        }

        Map<String, String> selectClientConfig(boolean registryKeys) {
            return LocalPlatform.selectClientConfig(clientConfig, registryKeys);
        }
    }

    /**
     * Where mail goes and how fast each channel may send.
     *
     * @param smtpPort   port of the development SMTP server started when {@code smtpServer} is null
     * @param smtpServer {@code HOST:PORT} of an SMTP server to use instead, or null
     * @param rates      messages per second per channel, for those given; the rest keep their defaults
     */
    public record Notifications(int smtpPort, String smtpServer, Map<NotificationChannel, Double> rates) {
    }

    private final Deque<AutoCloseable> running = new ArrayDeque<>();

    private LocalPlatform() {
    }

    public static LocalPlatform start(Settings settings, PrintStream out) throws Exception {
        LocalPlatform platform = new LocalPlatform();
        try {
            platform.startAll(settings, out);
            return platform;
        } catch (Exception e) {
            platform.close();
            throw e;
        }
    }

    private void startAll(Settings settings, PrintStream out) throws Exception {
        String bootstrap = settings.bootstrapServers();
        String kafkaNote = "external cluster";
        if (bootstrap == null) {
            requireFreePort(settings.kafkaPort(), "--kafka-port");
            requireFreePort(settings.controllerPort(), "--controller-port");
            Path kafkaDir = settings.dataDir().resolve("kafka");
            EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder()
                    .nodes(1)
                    .dataDir(kafkaDir)
                    .brokerPort(settings.kafkaPort())
                    .controllerPort(settings.controllerPort())
                    .start();
            running.push(kafka);
            bootstrap = kafka.bootstrapServers();
            kafkaNote = "embedded KRaft broker, data in " + kafkaDir;
        }
        Map<String, Object> kafkaClientConfig = settings.kafkaClientConfig(bootstrap);

        String registryUrl = settings.registryUrl();
        String registryNote = "external registry";
        if (registryUrl == null) {
            requireFreePort(settings.registryPort(), "--registry-port");
            int port = startRegistry(settings, bootstrap);
            registryUrl = "http://127.0.0.1:" + port;
            registryNote = "schemas in the _schemas topic";
        }

        Provisioned provisioned = provision(kafkaClientConfig,
                SchemaRegistryClient.fromConfig(settings.registryClientConfig(registryUrl)));
        ProvisioningReport report = provisioned.report();
        int subjects = provisioned.subjects();

        Set<Service> services = settings.services();
        Path gatewayDir = settings.dataDir().resolve("gateway");
        String devKey = devApiKey(gatewayDir);
        DropwizardServer gateway = null;
        if (services.contains(Service.GATEWAY)) {
            requireFreePort(settings.gatewayPort(), "--gateway-port");
            requireFreePort(settings.gatewayAdminPort(), "--gateway-admin-port");
            gateway = startGateway(settings, bootstrap, registryUrl, gatewayDir);
        }
        Path processorsDir = settings.dataDir().resolve("stream-processors");
        DropwizardServer processors = null;
        DevMailServer mail = null;
        if (services.contains(Service.PROCESSORS)) {
            requireFreePort(settings.processorsPort(), "--processors-port");
            requireFreePort(settings.processorsAdminPort(), "--processors-admin-port");
            if (settings.notifications().smtpServer() == null) {
                requireFreePort(settings.notifications().smtpPort(), "--smtp-port");
                mail = new DevMailServer(settings.notifications().smtpPort(), settings.dataDir().resolve("mail"));
                running.push(mail);
            }
            processors = startProcessors(settings, bootstrap, registryUrl, gatewayDir.resolve("keys.yml"),
                    processorsDir, mail == null ? settings.notifications().smtpServer() : "127.0.0.1:" + mail.port());
        }
        Path auditDir = settings.dataDir().resolve("audit-store");
        boolean auditKeyExisted = Files.exists(auditDir.resolve(AUDIT_SIGNING_KEY));
        DropwizardServer auditStore = null;
        if (services.contains(Service.AUDIT_STORE)) {
            requireFreePort(settings.auditStorePort(), "--audit-store-port");
            requireFreePort(settings.auditStoreAdminPort(), "--audit-store-admin-port");
            auditStore = startAuditStore(settings, bootstrap, registryUrl, gatewayDir.resolve("keys.yml"), auditDir);
        }

        Path analyticsDir = settings.dataDir().resolve("analytics");
        DropwizardServer analytics = null;
        if (services.contains(Service.ANALYTICS)) {
            requireFreePort(settings.analyticsPort(), "--analytics-port");
            requireFreePort(settings.analyticsAdminPort(), "--analytics-admin-port");
            analytics = startAnalytics(settings, bootstrap, registryUrl, gatewayDir.resolve("keys.yml"), analyticsDir);
        }

        out.println();
        out.println("Event Backbone is up");
        out.printf("  %-16s %-28s %s%n", "kafka", bootstrap, kafkaNote);
        out.printf("  %-16s %-28s %s%n", "schema registry", registryUrl, registryNote);
        out.printf("  %-16s %-28s %s%n", "topics", TopicCatalog.all().size() + " in the catalog",
                report.created().size() + " created now" + (report.mismatches().isEmpty()
                        ? "" : ", " + report.mismatches().size() + " MISMATCHES (see the log above)"));
        out.printf("  %-16s %-28s %s%n", "subjects", subjects + " registered", "<topic>-value, TopicNameStrategy");
        if (gateway != null) {
            out.printf("  %-16s %-28s %s%n", "ingest gateway", "http://127.0.0.1:" + gateway.localPort(),
                    "admin http://127.0.0.1:" + gateway.adminPort() + " (health, /prometheus), spool in "
                            + gatewayDir.resolve("spool"));
        }
        if (processors != null) {
            out.printf("  %-16s %-28s %s%n", "processors", "http://127.0.0.1:" + processors.localPort(),
                    "admin http://127.0.0.1:" + processors.adminPort() + "; audit normalization, orders and inventory,"
                            + " notification fan-out and delivery (exactly once, queries on /v1/customers, /v1/inventory,"
                            + " /v1/notifications), state in " + processorsDir);
            out.printf("  %-16s %-28s %s%n", "mail (SMTP)", mail == null ? settings.notifications().smtpServer()
                    : "127.0.0.1:" + mail.port(), mail == null ? "external SMTP server"
                    : "development server: every mail lands in " + mail.dir());
            out.printf("  %-16s %-28s %s%n", "webhook secret", "tenant " + DEV_TENANT,
                    "in " + processorsDir.resolve(WEBHOOK_SECRET_FILE) + " (Standard Webhooks, whsec_...)");
        }
        if (auditStore != null) {
            out.printf("  %-16s %-28s %s%n", "audit store", "http://127.0.0.1:" + auditStore.localPort(),
                    "admin http://127.0.0.1:" + auditStore.adminPort() + ", Merkle-tree logs in " + auditDir);
        }
        if (analytics != null) {
            out.printf("  %-16s %-28s %s%n", "analytics", "http://127.0.0.1:" + analytics.localPort(),
                    "admin http://127.0.0.1:" + analytics.adminPort() + "; rollups per minute and hour (exactly once,"
                            + " queries on /v1/analytics), window stores in " + analyticsDir);
        }
        EnumSet<Service> notStarted = EnumSet.complementOf(EnumSet.copyOf(services));
        if (!notStarted.isEmpty()) {
            out.printf("  %-16s %s%n", "not started", String.join(", ", notStarted.stream().map(Service::flagName)
                    .toList()) + " (--services)");
        }
        out.println();
        if (auditStore != null && !auditKeyExisted) {
            out.println("Created a development signing key for the audit store: " + auditDir.resolve(AUDIT_SIGNING_KEY)
                    + " (a production store needs one made with `backbone audit keygen`).");
            out.println();
        }
        out.println("Development API key (tenant dev, scopes " + String.join(", ", DEV_SCOPES) + "; also in "
                + gatewayDir.resolve(DEV_KEY_FILE) + "):");
        out.println("  " + devKey);
        out.println();
    }

    /**
     * Checked up front because a broker that cannot bind halts the whole JVM with a stack trace,
     * and the usual cause is simply another {@code backbone up} still running.
     */
    private static void requireFreePort(int port, String flag) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new LaunchException("port " + port + " on 127.0.0.1 is already in use (another `backbone up`"
                    + " or Kafka/registry still running?). Stop it, or choose another port with " + flag + ".");
        }
    }

    /**
     * The dev tenant's key, kept in plain text in the data directory so every local {@code up} prints
     * the same one; created on the first run, or again when it is no longer in the keys file.
     */
    private static String devApiKey(Path gatewayDir) throws IOException {
        Path keysFile = gatewayDir.resolve("keys.yml");
        Path devKeyFile = gatewayDir.resolve(DEV_KEY_FILE);
        if (Files.exists(devKeyFile)) {
            String existing = Files.readString(devKeyFile).trim();
            // A key from before a service was added lacks its scope: it is replaced, not kept.
            if (ApiKeyStore.open(keysFile).authenticate(existing)
                    .filter(key -> key.scopes().containsAll(DEV_SCOPES)).isPresent()) {
                return existing;
            }
        }
        String secret = ApiKeyStore.create(keysFile, "dev", DEV_SCOPES, null).secret();
        Files.writeString(devKeyFile, secret + System.lineSeparator());
        Files.setPosixFilePermissions(devKeyFile, PosixFilePermissions.fromString("rw-------"));
        return secret;
    }

    private DropwizardServer startGateway(Settings settings, String bootstrap, String registryUrl, Path gatewayDir)
            throws Exception {
        IngestGatewayConfiguration configuration = new IngestGatewayConfiguration()
                .embeddedOnLoopback(settings.gatewayPort(), settings.gatewayAdminPort());
        configuration.getKafka().setBootstrapServers(bootstrap);
        configuration.getKafka().setClientProperties(settings.kafkaSettings());
        configuration.getRegistry().setUrl(registryUrl);
        configuration.getRegistry().setClientProperties(settings.selectClientConfig(true));
        configuration.setKeysFile(gatewayDir.resolve("keys.yml"));
        configuration.getSpool().setEnabled(true);
        // One developer's machine: the limit is there to be seen (429), not to cap `backbone bench ingest`.
        configuration.getRateLimits().setDefaults(new IngestGatewayConfiguration.RateLimit(1_000_000, 2_000_000));
        configuration.getSpool().setDirectory(gatewayDir.resolve("spool"));
        DropwizardServer gateway = DropwizardServer.start(new IngestGatewayApplication(), configuration);
        running.push(gateway);
        return gateway;
    }

    private DropwizardServer startProcessors(Settings settings, String bootstrap, String registryUrl, Path keysFile,
                                             Path processorsDir, String smtpServer) throws Exception {
        StreamProcessorsConfiguration configuration = new StreamProcessorsConfiguration()
                .embeddedOnLoopback(settings.processorsPort(), settings.processorsAdminPort());
        configuration.setKeysFile(keysFile);
        configuration.getKafka().setBootstrapServers(bootstrap);
        configuration.getKafka().setClientProperties(settings.kafkaSettings());
        configuration.getRegistry().setUrl(registryUrl);
        configuration.getRegistry().setClientProperties(settings.selectClientConfig(true));
        configuration.setStateDir(processorsDir.resolve("state"));
        configureNotifications(configuration.getNotifications(), settings.notifications(), processorsDir, smtpServer);
        DropwizardServer processors = DropwizardServer.start(new StreamProcessorsApplication(), configuration);
        running.push(processors);
        return processors;
    }

    /** Mail to the given server, the rates asked for, the dev tenant's webhook secret, and the sample templates. */
    private static void configureNotifications(NotificationSettings notifications, Notifications options,
                                               Path processorsDir, String smtpServer) throws IOException {
        int colon = smtpServer.lastIndexOf(':');
        if (colon < 1) {
            throw new LaunchException("--smtp-server takes HOST:PORT; got '" + smtpServer + "'.");
        }
        notifications.getEmail().setSmtp(List.of(new NotificationSettings.SmtpServer(smtpServer.substring(0, colon),
                Integer.parseInt(smtpServer.substring(colon + 1)))));
        Map<NotificationChannel, NotificationSettings.ChannelLimit> channels = new HashMap<>(notifications.getChannels());
        options.rates().forEach((channel, rate) -> channels.put(channel, new NotificationSettings.ChannelLimit(rate,
                Math.max(1, (int) Math.ceil(rate / 5)))));
        notifications.setChannels(channels);
        notifications.getWebhook().setSecrets(Map.of(DEV_TENANT, List.of(webhookSecret(processorsDir))));
        Path templates = processorsDir.resolve("templates");
        seedTemplate(templates, "welcome.mustache", "Subject: Welcome, {{name}}!\n\nHello {{name}},\n\n"
                + "your account is ready.\n");
        seedTemplate(templates, "welcome.de.mustache", "Subject: Willkommen, {{name}}!\n\nHallo {{name}},\n\n"
                + "Ihr Konto ist bereit.\n");
        notifications.setTemplatesDir(templates);
    }

    private static void seedTemplate(Path templates, String name, String text) throws IOException {
        Path file = templates.resolve(Templates.SHARED).resolve(name);
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        }
    }

    /** The dev tenant's webhook signing secret, made on the first run and kept. */
    private static String webhookSecret(Path processorsDir) throws IOException {
        Path file = processorsDir.resolve(WEBHOOK_SECRET_FILE);
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        Files.createDirectories(processorsDir);
        Files.writeString(file, secret + System.lineSeparator());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return secret;
    }

    private DropwizardServer startAnalytics(Settings settings, String bootstrap, String registryUrl, Path keysFile,
                                            Path analyticsDir) throws Exception {
        AnalyticsConfiguration configuration = new AnalyticsConfiguration()
                .embeddedOnLoopback(settings.analyticsPort(), settings.analyticsAdminPort());
        configuration.setKeysFile(keysFile);
        configuration.getKafka().setBootstrapServers(bootstrap);
        configuration.getKafka().setClientProperties(settings.kafkaSettings());
        configuration.getRegistry().setUrl(registryUrl);
        configuration.getRegistry().setClientProperties(settings.selectClientConfig(true));
        configuration.setStateDir(analyticsDir.resolve("state"));
        // One instance on a laptop: a standby would have nowhere to run.
        configuration.setStandbyReplicas(0);
        DropwizardServer analytics = DropwizardServer.start(new AnalyticsApplication(), configuration);
        running.push(analytics);
        return analytics;
    }

    private DropwizardServer startAuditStore(Settings settings, String bootstrap, String registryUrl, Path keysFile,
                                             Path auditDir) throws Exception {
        AuditStoreConfiguration configuration = new AuditStoreConfiguration()
                .embeddedOnLoopback(settings.auditStorePort(), settings.auditStoreAdminPort());
        configuration.getKafka().setBootstrapServers(bootstrap);
        configuration.getKafka().setClientProperties(settings.kafkaSettings());
        configuration.getRegistry().setUrl(registryUrl);
        configuration.getRegistry().setClientProperties(settings.selectClientConfig(true));
        configuration.setKeysFile(keysFile);
        configuration.setDataDirectory(auditDir.resolve("data"));
        configuration.setSigningKeyFile(auditDir.resolve(AUDIT_SIGNING_KEY));
        // A local stack: the store makes its own key on first start instead of refusing to start.
        configuration.setDevMode(true);
        DropwizardServer store = DropwizardServer.start(new AuditStoreApplication(), configuration);
        running.push(store);
        return store;
    }

    private int startRegistry(Settings settings, String bootstrap) throws Exception {
        SchemaRegistryApplication application = new SchemaRegistryApplication();
        SchemaRegistryConfiguration configuration =
                new SchemaRegistryConfiguration().embeddedOnLoopback(settings.registryPort());
        configuration.getKafka().setBootstrapServers(bootstrap);
        configuration.getKafka().setClientProperties(settings.kafkaSettings());
        DropwizardServer registry = DropwizardServer.start(application, configuration);
        running.push(registry);
        return registry.localPort();
    }

    @Override
    public void close() {
        while (!running.isEmpty()) {
            AutoCloseable part = running.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("Stopping {} failed: {}", part, e.toString());
            }
        }
    }
}
