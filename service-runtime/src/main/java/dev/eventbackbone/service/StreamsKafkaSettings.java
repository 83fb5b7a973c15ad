package dev.eventbackbone.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.eventbackbone.contracts.config.KafkaConnection;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Kafka section of a service that runs Kafka Streams: where Kafka is, and the Streams tuning. */
public class StreamsKafkaSettings extends KafkaConnection {

    @NotNull
    private Map<String, String> streamsProperties = new LinkedHashMap<>();

    /**
     * Kafka Streams tuning, e.g. {@code num.stream.threads}, {@code replication.factor},
     * {@code commit.interval.ms}. {@code processing.guarantee} stays exactly_once_v2 whatever is set.
     */
    @JsonProperty
    public Map<String, String> getStreamsProperties() {
        return streamsProperties;
    }

    @JsonProperty
    public void setStreamsProperties(Map<String, String> streamsProperties) {
        this.streamsProperties = streamsProperties;
    }
}
