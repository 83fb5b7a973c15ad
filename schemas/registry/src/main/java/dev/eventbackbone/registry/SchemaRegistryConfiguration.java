package dev.eventbackbone.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.eventbackbone.contracts.config.KafkaConnection;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.request.logging.ExternalRequestLogFactory;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * Settings of the schema registry server. Every field has a default that works against a local
 * broker, so an empty YAML file (or {@code new SchemaRegistryConfiguration()}) starts a registry on
 * {@code http://0.0.0.0:8081} backed by {@code 127.0.0.1:9092}.
 *
 * <p>The server defaults to Dropwizard's {@code simple} server: the REST API at {@code /} and the
 * admin servlets (health, metrics) at {@code /admin}, both on port {@value #DEFAULT_PORT}, like
 * Confluent's registry. A YAML {@code server:} block replaces this default and must then say
 * {@code type: simple} to keep one port.
 */
public class SchemaRegistryConfiguration extends Configuration {

    public static final int DEFAULT_PORT = 8081;
    public static final String DEFAULT_SCHEMAS_TOPIC = "_schemas";

    @Valid
    @NotNull
    private KafkaConnection kafka = new KafkaConnection();

    @NotBlank
    private String schemasTopic = DEFAULT_SCHEMAS_TOPIC;

    @NotNull
    private CompatibilityLevel defaultCompatibility = CompatibilityLevel.BACKWARD;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration startupTimeout = Duration.seconds(60);

    public SchemaRegistryConfiguration() {
        HttpConnectorFactory connector = new HttpConnectorFactory();
        connector.setPort(DEFAULT_PORT);
        SimpleServerFactory server = new SimpleServerFactory();
        server.setConnector(connector);
        server.setApplicationContextPath("/");
        server.setAdminContextPath("/admin");
        setServerFactory(server);
    }

    /**
     * Serves on {@code 127.0.0.1:port} (0 = any free port) and writes no request log: for a registry
     * running inside another process, such as the launcher or a test, that owns the console.
     */
    public SchemaRegistryConfiguration embeddedOnLoopback(int port) {
        SimpleServerFactory server = (SimpleServerFactory) getServerFactory();
        server.setRequestLogFactory(new ExternalRequestLogFactory());
        HttpConnectorFactory connector = (HttpConnectorFactory) server.getConnector();
        connector.setBindHost("127.0.0.1");
        connector.setPort(port);
        return this;
    }

    @JsonProperty
    public KafkaConnection getKafka() {
        return kafka;
    }

    @JsonProperty
    public void setKafka(KafkaConnection kafka) {
        this.kafka = kafka;
    }

    /** The compacted, single-partition topic holding every schema and compatibility setting. */
    @JsonProperty
    public String getSchemasTopic() {
        return schemasTopic;
    }

    @JsonProperty
    public void setSchemasTopic(String schemasTopic) {
        this.schemasTopic = schemasTopic;
    }

    /** The global compatibility level until someone sets one with {@code PUT /config}. */
    @JsonProperty
    public CompatibilityLevel getDefaultCompatibility() {
        return defaultCompatibility;
    }

    @JsonProperty
    public void setDefaultCompatibility(CompatibilityLevel defaultCompatibility) {
        this.defaultCompatibility = defaultCompatibility;
    }

    /**
     * How long start-up may take to reach Kafka, create the schemas topic and read it to the end;
     * also the bound on how long one registration waits for Kafka.
     */
    @JsonProperty
    public Duration getStartupTimeout() {
        return startupTimeout;
    }

    @JsonProperty
    public void setStartupTimeout(Duration startupTimeout) {
        this.startupTimeout = startupTimeout;
    }
}
