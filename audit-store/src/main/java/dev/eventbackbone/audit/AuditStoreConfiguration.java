package dev.eventbackbone.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.config.KafkaConnection;
import dev.eventbackbone.service.ServiceConfiguration;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Settings of the audit store. Every field has a default that works against a local broker and
 * registry, so an empty YAML file starts a store on {@code http://0.0.0.0:8083} (admin on
 * {@code 8093}) that keeps its data in {@code audit-store-data/}.
 */
public class AuditStoreConfiguration extends ServiceConfiguration<AuditStoreConfiguration, AuditStoreConfiguration.KafkaSettings> {

    public static final int DEFAULT_PORT = 8083;
    public static final int DEFAULT_ADMIN_PORT = 8093;

    @NotNull
    private Path dataDirectory = Path.of("audit-store-data");

    private Path signingKeyFile;

    private Path keyHistoryFile;

    private boolean devMode;

    @NotNull
    private Path keysFile = Path.of("keys.yml");

    @Min(1)
    private long headEvery = 10_000;

    @NotNull
    @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
    private Duration headInterval = Duration.seconds(10);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration stallTimeout = Duration.seconds(60);

    private boolean syncWrites;

    @Valid
    @NotNull
    private RetentionSettings retention = new RetentionSettings();

    public AuditStoreConfiguration() {
        super(DEFAULT_PORT, DEFAULT_ADMIN_PORT, new KafkaSettings());
    }

    /** The RocksDB directory: leaves, tree nodes, indexes, signed heads and consumed offsets. */
    @JsonProperty
    public Path getDataDirectory() {
        return dataDirectory;
    }

    @JsonProperty
    public void setDataDirectory(Path dataDirectory) {
        this.dataDirectory = dataDirectory;
    }

    /**
     * PEM file of the Ed25519 key pair that signs tree heads, made by {@code backbone audit keygen}.
     * The store refuses to start without it, unless {@link #isDevMode()}. Default: in the data directory.
     */
    @JsonProperty
    public Path getSigningKeyFile() {
        return signingKeyFile != null ? signingKeyFile : dataDirectory.resolve("signing-key.pem");
    }

    @JsonProperty
    public void setSigningKeyFile(Path signingKeyFile) {
        this.signingKeyFile = signingKeyFile;
    }

    /**
     * JSON Lines of key rotations, each signed by the retiring key ({@code backbone audit rotate-key});
     * absent when the key was never rotated. Default: {@code key-history.jsonl} beside the signing key.
     */
    @JsonProperty
    public Path getKeyHistoryFile() {
        return keyHistoryFile != null ? keyHistoryFile
                : getSigningKeyFile().toAbsolutePath().resolveSibling("key-history.jsonl");
    }

    @JsonProperty
    public void setKeyHistoryFile(Path keyHistoryFile) {
        this.keyHistoryFile = keyHistoryFile;
    }

    /**
     * A local, throwaway store: a missing signing key is created (and the log says so) instead of
     * refusing to start. {@code backbone up} runs in dev mode; never a store whose heads anyone relies on.
     */
    @JsonProperty
    public boolean isDevMode() {
        return devMode;
    }

    @JsonProperty
    public void setDevMode(boolean devMode) {
        this.devMode = devMode;
    }

    /** The API keys file the gateway also reads; callers need the scope {@code read:audit}. */
    @JsonProperty
    public Path getKeysFile() {
        return keysFile;
    }

    @JsonProperty
    public void setKeysFile(Path keysFile) {
        this.keysFile = keysFile;
    }

    /** A head is signed for a tenant whenever its tree grew by this many leaves. */
    @JsonProperty
    public long getHeadEvery() {
        return headEvery;
    }

    @JsonProperty
    public void setHeadEvery(long headEvery) {
        this.headEvery = headEvery;
    }

    /** Every tenant gets a signed head at least this often, grown or not: a missing head shows a gap. */
    @JsonProperty
    public Duration getHeadInterval() {
        return headInterval;
    }

    @JsonProperty
    public void setHeadInterval(Duration headInterval) {
        this.headInterval = headInterval;
    }

    /** The health check fails when the ingester has not polled Kafka for this long (it stalls while it retries). */
    @JsonProperty
    public Duration getStallTimeout() {
        return stallTimeout;
    }

    @JsonProperty
    public void setStallTimeout(Duration stallTimeout) {
        this.stallTimeout = stallTimeout;
    }

    /**
     * fsync every write. Off, an acknowledged write survives the process being killed (it is in
     * RocksDB's write-ahead log in the OS page cache); on, it also survives power loss.
     */
    @JsonProperty
    public boolean isSyncWrites() {
        return syncWrites;
    }

    @JsonProperty
    public void setSyncWrites(boolean syncWrites) {
        this.syncWrites = syncWrites;
    }

    @JsonProperty
    public RetentionSettings getRetention() {
        return retention;
    }

    @JsonProperty
    public void setRetention(RetentionSettings retention) {
        this.retention = retention;
    }

    /** Where Kafka is and how to talk to it. */
    public static class KafkaSettings extends KafkaConnection {

        @NotBlank
        private String topic = TopicCatalog.AUDIT_EVENTS;

        @NotBlank
        private String deadLetterTopic = TopicCatalog.AUDIT_DLQ;

        @NotBlank
        private String headsTopic = TopicCatalog.AUDIT_HEADS;

        @NotBlank
        private String subjectKeysTopic = TopicCatalog.AUDIT_SUBJECT_KEYS;

        @NotBlank
        private String erasuresTopic = TopicCatalog.AUDIT_ERASURES;

        @NotBlank
        private String groupId = "audit-store";

        /** The normalized audit topic the store consumes (read_committed). */
        @JsonProperty
        public String getTopic() {
            return topic;
        }

        @JsonProperty
        public void setTopic(String topic) {
            this.topic = topic;
        }

        /** Where a record the store cannot decode goes, with the reason. */
        @JsonProperty
        public String getDeadLetterTopic() {
            return deadLetterTopic;
        }

        @JsonProperty
        public void setDeadLetterTopic(String deadLetterTopic) {
            this.deadLetterTopic = deadLetterTopic;
        }

        /** The consumer group the store instances share the partitions of the topic in. */
        @JsonProperty
        public String getGroupId() {
            return groupId;
        }

        @JsonProperty
        public void setGroupId(String groupId) {
            this.groupId = groupId;
        }

        /** Where every signed tree head is published, for witnesses. */
        @JsonProperty
        public String getHeadsTopic() {
            return headsTopic;
        }

        @JsonProperty
        public void setHeadsTopic(String headsTopic) {
            this.headsTopic = headsTopic;
        }

        /** The keys that open sealed personal fields; every instance reads all of it. */
        @JsonProperty
        public String getSubjectKeysTopic() {
            return subjectKeysTopic;
        }

        @JsonProperty
        public void setSubjectKeysTopic(String subjectKeysTopic) {
            this.subjectKeysTopic = subjectKeysTopic;
        }

        /** Where {@code POST /v1/audit/erasures} writes erasure requests for the normalizer. */
        @JsonProperty
        public String getErasuresTopic() {
            return erasuresTopic;
        }

        @JsonProperty
        public void setErasuresTopic(String erasuresTopic) {
            this.erasuresTopic = erasuresTopic;
        }

    }

    /**
     * How long records are kept, per tenant, in days; a tenant without a setting keeps its records
     * for {@code defaultDays}, and forever when that is absent.
     */
    public static class RetentionSettings {

        @Min(1)
        private Integer defaultDays;

        @NotNull
        private Map<String, @Min(1) Integer> tenants = new LinkedHashMap<>();

        @NotNull
        private Duration checkInterval = Duration.hours(1);

        @JsonProperty
        public Integer getDefaultDays() {
            return defaultDays;
        }

        @JsonProperty
        public void setDefaultDays(Integer defaultDays) {
            this.defaultDays = defaultDays;
        }

        @JsonProperty
        public Map<String, Integer> getTenants() {
            return tenants;
        }

        @JsonProperty
        public void setTenants(Map<String, Integer> tenants) {
            this.tenants = tenants;
        }

        @JsonProperty
        public Duration getCheckInterval() {
            return checkInterval;
        }

        @JsonProperty
        public void setCheckInterval(Duration checkInterval) {
            this.checkInterval = checkInterval;
        }

        Integer daysFor(String tenant) {
            return tenants.getOrDefault(tenant, defaultDays);
        }
    }
}
