package dev.eventbackbone.processors;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.eventbackbone.processors.audit.AuditNormalizationTopology;
import dev.eventbackbone.processors.audit.AuditSettings;
import dev.eventbackbone.processors.notifications.NotificationSettings;
import dev.eventbackbone.processors.orders.OrderSettings;
import dev.eventbackbone.service.ServiceConfiguration;
import dev.eventbackbone.service.StreamsKafkaSettings;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Settings of the stream processors service. Every field has a default that works against a local
 * broker and registry, so an empty YAML file runs the audit normalizer against {@code 127.0.0.1:9092}
 * and {@code http://127.0.0.1:8081}, with health checks and metrics on admin port {@code 8092}.
 */
public class StreamProcessorsConfiguration extends ServiceConfiguration<StreamProcessorsConfiguration, StreamsKafkaSettings> {

    public static final int DEFAULT_PORT = 8082;
    public static final int DEFAULT_ADMIN_PORT = 8092;

    @NotNull
    private Path stateDir = Path.of("state");

    @NotBlank
    private String applicationId = AuditNormalizationTopology.COMPONENT;

    @Valid
    @NotNull
    private AuditSettings audit = new AuditSettings();

    @Valid
    @NotNull
    private OrderSettings orders = new OrderSettings();

    @Valid
    @NotNull
    private NotificationSettings notifications = new NotificationSettings();

    @NotNull
    private Path keysFile = Path.of("keys.yml");

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration readYourWritesTimeout = Duration.seconds(10);

    public StreamProcessorsConfiguration() {
        super(DEFAULT_PORT, DEFAULT_ADMIN_PORT, new StreamsKafkaSettings());
    }

    /** Where Kafka Streams keeps its local state (RocksDB); keep it on a persistent volume to avoid restores. */
    @JsonProperty
    public Path getStateDir() {
        return stateDir;
    }

    @JsonProperty
    public void setStateDir(Path stateDir) {
        this.stateDir = stateDir;
    }

    /**
     * The audit normalizer's Kafka Streams application.id: its consumer group and the prefix of its
     * internal topics. The order topology has its own, {@code orders.applicationId}.
     */
    @JsonProperty
    public String getApplicationId() {
        return applicationId;
    }

    @JsonProperty
    public void setApplicationId(String applicationId) {
        this.applicationId = applicationId;
    }

    @JsonProperty
    public AuditSettings getAudit() {
        return audit;
    }

    @JsonProperty
    public void setAudit(AuditSettings audit) {
        this.audit = audit;
    }

    /**
     * The API keys file the gateway also reads; order and inventory queries need the scope
     * {@code read:orders}, notification queries {@code read:notifications}.
     */
    @JsonProperty
    public Path getKeysFile() {
        return keysFile;
    }

    @JsonProperty
    public void setKeysFile(Path keysFile) {
        this.keysFile = keysFile;
    }

    /**
     * How long a query with {@code after=<partition>:<offset>} waits for that command to be applied
     * before it answers 503 rather than an older state.
     */
    @JsonProperty
    public Duration getReadYourWritesTimeout() {
        return readYourWritesTimeout;
    }

    @JsonProperty
    public void setReadYourWritesTimeout(Duration readYourWritesTimeout) {
        this.readYourWritesTimeout = readYourWritesTimeout;
    }

    @JsonProperty
    public OrderSettings getOrders() {
        return orders;
    }

    @JsonProperty
    public void setOrders(OrderSettings orders) {
        this.orders = orders;
    }

    @JsonProperty
    public NotificationSettings getNotifications() {
        return notifications;
    }

    @JsonProperty
    public void setNotifications(NotificationSettings notifications) {
        this.notifications = notifications;
    }
}
