package dev.eventbackbone.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.eventbackbone.contracts.config.KafkaConnection;
import dev.eventbackbone.service.ServiceConfiguration;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDataSize;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Settings of the ingest gateway. Every field has a default that works against a local broker and
 * registry, so an empty YAML file starts a gateway on {@code http://0.0.0.0:8080} (admin on
 * {@code 8090}) backed by {@code 127.0.0.1:9092} and {@code http://127.0.0.1:8081}, reading API keys
 * from {@code keys.yml}.
 */
public class IngestGatewayConfiguration extends ServiceConfiguration<IngestGatewayConfiguration, IngestGatewayConfiguration.KafkaSettings> {

    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_ADMIN_PORT = 8090;

    @NotNull
    private Path keysFile = Path.of("keys.yml");

    @Valid
    @NotNull
    private Limits limits = new Limits();

    @Valid
    @NotNull
    private SpoolSettings spool = new SpoolSettings();

    @Valid
    @NotNull
    private RateLimitSettings rateLimits = new RateLimitSettings();

    @Valid
    @NotNull
    private IdempotencySettings idempotency = new IdempotencySettings();

    public IngestGatewayConfiguration() {
        super(DEFAULT_PORT, DEFAULT_ADMIN_PORT, new KafkaSettings());
    }

    /**
     * The YAML file of API keys (SHA-256 hashes only, each with a tenant and scopes), as
     * {@code backbone keys create} writes it. Re-read when it changes, so new keys work without a restart.
     */
    @JsonProperty
    public Path getKeysFile() {
        return keysFile;
    }

    @JsonProperty
    public void setKeysFile(Path keysFile) {
        this.keysFile = keysFile;
    }

    @JsonProperty
    public Limits getLimits() {
        return limits;
    }

    @JsonProperty
    public void setLimits(Limits limits) {
        this.limits = limits;
    }

    @JsonProperty
    public SpoolSettings getSpool() {
        return spool;
    }

    @JsonProperty
    public void setSpool(SpoolSettings spool) {
        this.spool = spool;
    }

    @JsonProperty
    public RateLimitSettings getRateLimits() {
        return rateLimits;
    }

    @JsonProperty
    public void setRateLimits(RateLimitSettings rateLimits) {
        this.rateLimits = rateLimits;
    }

    @JsonProperty
    public IdempotencySettings getIdempotency() {
        return idempotency;
    }

    @JsonProperty
    public void setIdempotency(IdempotencySettings idempotency) {
        this.idempotency = idempotency;
    }

    /** Where Kafka is and how to talk to it. */
    public static class KafkaSettings extends KafkaConnection {

        @NotNull
        private Map<String, String> producerProperties = new LinkedHashMap<>();

        @NotNull
        @MinDuration(value = 1, unit = TimeUnit.SECONDS)
        private Duration healthCheckTimeout = Duration.seconds(3);

        /**
         * Producer tuning over the gateway's defaults (acks=all, idempotence, linger.ms=5, lz4,
         * delivery.timeout.ms=15000, max.block.ms=1000). {@code acks} and idempotence cannot be weakened.
         */
        @JsonProperty
        public Map<String, String> getProducerProperties() {
            return producerProperties;
        }

        @JsonProperty
        public void setProducerProperties(Map<String, String> producerProperties) {
            this.producerProperties = producerProperties;
        }

        @JsonProperty
        public Duration getHealthCheckTimeout() {
            return healthCheckTimeout;
        }

        @JsonProperty
        public void setHealthCheckTimeout(Duration healthCheckTimeout) {
            this.healthCheckTimeout = healthCheckTimeout;
        }
    }

    /** Size limits and the bound on bytes waiting for Kafka. */
    public static class Limits {

        @NotNull
        @MinDataSize(1)
        @MaxDataSize(value = 16, unit = io.dropwizard.util.DataSizeUnit.MEBIBYTES)
        private DataSize maxEventSize = DataSize.kibibytes(64);

        @NotNull
        @MinDataSize(1)
        @MaxDataSize(value = 64, unit = io.dropwizard.util.DataSizeUnit.MEBIBYTES)
        private DataSize maxBatchSize = DataSize.mebibytes(1);

        @Min(1)
        @Max(100_000)
        private int maxBatchEvents = 500;

        @NotNull
        @MinDataSize(value = 1, unit = io.dropwizard.util.DataSizeUnit.MEBIBYTES)
        private DataSize maxInFlight = DataSize.mebibytes(32);

        @JsonProperty
        public DataSize getMaxEventSize() {
            return maxEventSize;
        }

        @JsonProperty
        public void setMaxEventSize(DataSize maxEventSize) {
            this.maxEventSize = maxEventSize;
        }

        @JsonProperty
        public DataSize getMaxBatchSize() {
            return maxBatchSize;
        }

        @JsonProperty
        public void setMaxBatchSize(DataSize maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
        }

        @JsonProperty
        public int getMaxBatchEvents() {
            return maxBatchEvents;
        }

        @JsonProperty
        public void setMaxBatchEvents(int maxBatchEvents) {
            this.maxBatchEvents = maxBatchEvents;
        }

        /**
         * Serialized bytes sent to Kafka and not yet acknowledged; beyond it requests get 503 with
         * Retry-After instead of queueing without limit.
         */
        @JsonProperty
        public DataSize getMaxInFlight() {
            return maxInFlight;
        }

        @JsonProperty
        public void setMaxInFlight(DataSize maxInFlight) {
            this.maxInFlight = maxInFlight;
        }
    }

    /** The local RocksDB spool that takes accepted events while Kafka is unreachable. */
    public static class SpoolSettings {

        private boolean enabled;

        @NotNull
        private Path directory = Path.of("spool");

        @NotNull
        @MinDataSize(value = 1, unit = io.dropwizard.util.DataSizeUnit.MEBIBYTES)
        private DataSize maxSize = DataSize.gibibytes(1);

        @JsonProperty
        public boolean isEnabled() {
            return enabled;
        }

        @JsonProperty
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        @JsonProperty
        public Path getDirectory() {
            return directory;
        }

        @JsonProperty
        public void setDirectory(Path directory) {
            this.directory = directory;
        }

        @JsonProperty
        public DataSize getMaxSize() {
            return maxSize;
        }

        @JsonProperty
        public void setMaxSize(DataSize maxSize) {
            this.maxSize = maxSize;
        }
    }

    /** Per-tenant rate limits: a token bucket refilled at eventsPerSecond, holding at most burst. */
    public static class RateLimitSettings {

        @Valid
        @NotNull
        private RateLimit defaults = new RateLimit(50_000, 100_000);

        @Valid
        @NotNull
        private Map<String, RateLimit> tenants = new LinkedHashMap<>();

        /** The limit of every tenant not listed under {@code tenants}. */
        @JsonProperty("default")
        public RateLimit getDefaults() {
            return defaults;
        }

        @JsonProperty("default")
        public void setDefaults(RateLimit defaults) {
            this.defaults = defaults;
        }

        @JsonProperty
        public Map<String, RateLimit> getTenants() {
            return tenants;
        }

        @JsonProperty
        public void setTenants(Map<String, RateLimit> tenants) {
            this.tenants = tenants;
        }

        public RateLimit limitOf(String tenant) {
            return tenants.getOrDefault(tenant, defaults);
        }
    }

    /** One tenant's allowance. */
    public static class RateLimit {

        @Min(1)
        private long eventsPerSecond;

        @Min(1)
        private long burst;

        public RateLimit() {
            this(1_000, 2_000);
        }

        public RateLimit(long eventsPerSecond, long burst) {
            this.eventsPerSecond = eventsPerSecond;
            this.burst = burst;
        }

        @JsonProperty
        public long getEventsPerSecond() {
            return eventsPerSecond;
        }

        @JsonProperty
        public void setEventsPerSecond(long eventsPerSecond) {
            this.eventsPerSecond = eventsPerSecond;
        }

        @JsonProperty
        public long getBurst() {
            return burst;
        }

        @JsonProperty
        public void setBurst(long burst) {
            this.burst = burst;
        }
    }

    /** The local cache that answers a retried Idempotency-Key with the original result. */
    public static class IdempotencySettings {

        @NotNull
        @MinDuration(value = 1, unit = TimeUnit.SECONDS)
        private Duration retention = Duration.hours(24);

        @NotNull
        @MinDataSize(1)
        private DataSize maxSize = DataSize.mebibytes(256);

        @JsonProperty
        public Duration getRetention() {
            return retention;
        }

        @JsonProperty
        public void setRetention(Duration retention) {
            this.retention = retention;
        }

        /** How much memory the remembered answers may take; those least likely to be asked for again go first. */
        @JsonProperty
        public DataSize getMaxSize() {
            return maxSize;
        }

        @JsonProperty
        public void setMaxSize(DataSize maxSize) {
            this.maxSize = maxSize;
        }
    }
}
