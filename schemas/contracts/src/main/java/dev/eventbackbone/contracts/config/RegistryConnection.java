package dev.eventbackbone.contracts.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.eventbackbone.contracts.registry.SchemaRegistryClientConfig;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Confluent-compatible schema registry a service uses: the {@code registry} section of its YAML. */
public class RegistryConnection {

    @NotBlank
    private String url = "http://127.0.0.1:8081";

    @NotNull
    private Map<String, String> clientProperties = new LinkedHashMap<>();

    /** One URL, or several separated by commas for failover. */
    @JsonProperty
    public String getUrl() {
        return url;
    }

    @JsonProperty
    public void setUrl(String url) {
        this.url = url;
    }

    /** Registry client settings: {@code basic.auth.*}, {@code bearer.auth.*}, {@code schema.registry.ssl.*}. */
    @JsonProperty
    public Map<String, String> getClientProperties() {
        return clientProperties;
    }

    @JsonProperty
    public void setClientProperties(Map<String, String> clientProperties) {
        this.clientProperties = clientProperties;
    }

    /** The client properties with the URL, as {@code SchemaRegistryClient.fromConfig} takes them. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(SchemaRegistryClientConfig.URL, url);
        return config;
    }
}
