package dev.eventbackbone.contracts.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Where a service's Kafka cluster is and how its clients reach it: the {@code kafka} section every
 * service's YAML shares. A service adds its own client tuning by extending it.
 */
public class KafkaConnection {

    @NotBlank
    private String bootstrapServers = "127.0.0.1:9092";

    @NotNull
    private Map<String, String> clientProperties = new LinkedHashMap<>();

    @JsonProperty
    public String getBootstrapServers() {
        return bootstrapServers;
    }

    @JsonProperty
    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Extra settings for every Kafka client of the service (admin, producers, consumers), e.g.
     * {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.*}.
     */
    @JsonProperty
    public Map<String, String> getClientProperties() {
        return clientProperties;
    }

    @JsonProperty
    public void setClientProperties(Map<String, String> clientProperties) {
        this.clientProperties = clientProperties;
    }

    /** The client properties with the bootstrap servers: the base of every client's configuration. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }
}
