package dev.eventbackbone.analytics;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/** Settings of the rollup topology. */
public class AnalyticsSettings {

    @NotBlank
    private String applicationId = RollupTopology.COMPONENT;

    @NotNull
    private Duration grace = Duration.minutes(2);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.HOURS)
    private Duration minuteRetention = Duration.days(2);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.DAYS)
    private Duration hourRetention = Duration.days(62);

    @Min(0)
    private int decodedWindowsPerTask = 256;

    /** The rollups' Kafka Streams application.id: consumer group and prefix of the internal topics. */
    @JsonProperty
    public String getApplicationId() {
        return applicationId;
    }

    @JsonProperty
    public void setApplicationId(String applicationId) {
        this.applicationId = applicationId;
    }

    /** How long after a window's end a late event still counts in it (event time, per task's stream time). */
    @JsonProperty
    public Duration getGrace() {
        return grace;
    }

    @JsonProperty
    public void setGrace(Duration grace) {
        this.grace = grace;
    }

    /** How long minute windows are kept. */
    @JsonProperty
    public Duration getMinuteRetention() {
        return minuteRetention;
    }

    @JsonProperty
    public void setMinuteRetention(Duration minuteRetention) {
        this.minuteRetention = minuteRetention;
    }

    /** How long hour windows are kept. */
    @JsonProperty
    public Duration getHourRetention() {
        return hourRetention;
    }

    @JsonProperty
    public void setHourRetention(Duration hourRetention) {
        this.hourRetention = hourRetention;
    }

    /**
     * How many windows' rollups each task keeps decoded from one commit to the next, per store
     * (minute, hour): about 20 KiB each with all their sketches. Beyond it, those unused for the
     * longest are decoded again from RocksDB when next updated.
     */
    @JsonProperty
    public int getDecodedWindowsPerTask() {
        return decodedWindowsPerTask;
    }

    @JsonProperty
    public void setDecodedWindowsPerTask(int decodedWindowsPerTask) {
        this.decodedWindowsPerTask = decodedWindowsPerTask;
    }
}
