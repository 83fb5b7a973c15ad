package dev.eventbackbone.analytics;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.eventbackbone.service.ServiceConfiguration;
import dev.eventbackbone.service.StreamsKafkaSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;

/**
 * Settings of the analytics rollups service. Every field has a default that works against a
 * local broker and registry: queries on port {@code 8084}, health and metrics on {@code 8094}.
 */
public class AnalyticsConfiguration extends ServiceConfiguration<AnalyticsConfiguration, StreamsKafkaSettings> {

    public static final int DEFAULT_PORT = 8084;
    public static final int DEFAULT_ADMIN_PORT = 8094;

    @NotNull
    private Path stateDir = Path.of("state");

    @NotNull
    private Path keysFile = Path.of("keys.yml");

    @Min(0)
    private int standbyReplicas = 1;

    @Valid
    @NotNull
    private AnalyticsSettings rollups = new AnalyticsSettings();

    public AnalyticsConfiguration() {
        super(DEFAULT_PORT, DEFAULT_ADMIN_PORT, new StreamsKafkaSettings());
    }

    /** Where the window stores live (RocksDB); keep it on a persistent volume to avoid restores. */
    @JsonProperty
    public Path getStateDir() {
        return stateDir;
    }

    @JsonProperty
    public void setStateDir(Path stateDir) {
        this.stateDir = stateDir;
    }

    /** The API keys file the gateway also reads; queries need the scope {@code read:analytics}. */
    @JsonProperty
    public Path getKeysFile() {
        return keysFile;
    }

    @JsonProperty
    public void setKeysFile(Path keysFile) {
        this.keysFile = keysFile;
    }

    /** Copies of each store kept warm on other instances, to answer while an instance is lost. */
    @JsonProperty
    public int getStandbyReplicas() {
        return standbyReplicas;
    }

    @JsonProperty
    public void setStandbyReplicas(int standbyReplicas) {
        this.standbyReplicas = standbyReplicas;
    }

    @JsonProperty
    public AnalyticsSettings getRollups() {
        return rollups;
    }

    @JsonProperty
    public void setRollups(AnalyticsSettings rollups) {
        this.rollups = rollups;
    }
}
