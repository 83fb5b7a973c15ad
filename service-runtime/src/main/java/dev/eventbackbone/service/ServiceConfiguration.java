package dev.eventbackbone.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.eventbackbone.contracts.config.KafkaConnection;
import dev.eventbackbone.contracts.config.RegistryConnection;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.request.logging.ExternalRequestLogFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * What the configuration of every backbone service that reads Avro from Kafka has: an application
 * port and an admin port (health, metrics) of its own, its Kafka section and the schema registry
 * it reads schemas from. Each service adds its own sections.
 *
 * @param <S> the service's configuration class, which {@link #embeddedOnLoopback} returns
 * @param <K> the service's Kafka section: the common connection and its own client tuning
 */
public abstract class ServiceConfiguration<S extends ServiceConfiguration<S, K>, K extends KafkaConnection>
        extends Configuration {

    @Valid
    @NotNull
    private K kafka;

    @Valid
    @NotNull
    private RegistryConnection registry = new RegistryConnection();

    private String advertisedUrl;

    protected ServiceConfiguration(int defaultPort, int defaultAdminPort, K defaultKafka) {
        this.kafka = defaultKafka;
        DefaultServerFactory server = new DefaultServerFactory();
        HttpConnectorFactory application = new HttpConnectorFactory();
        application.setPort(defaultPort);
        HttpConnectorFactory admin = new HttpConnectorFactory();
        admin.setPort(defaultAdminPort);
        server.setApplicationConnectors(List.of(application));
        server.setAdminConnectors(List.of(admin));
        setServerFactory(server);
    }

    /**
     * Serves on {@code 127.0.0.1} at the given ports (0 = any free port) and writes no request log:
     * for a service running inside another process, such as the launcher or a test.
     */
    @SuppressWarnings("unchecked")
    public S embeddedOnLoopback(int port, int adminPort) {
        DefaultServerFactory server = (DefaultServerFactory) getServerFactory();
        server.setRequestLogFactory(new ExternalRequestLogFactory());
        HttpConnectorFactory application = (HttpConnectorFactory) server.getApplicationConnectors().get(0);
        application.setBindHost("127.0.0.1");
        application.setPort(port);
        HttpConnectorFactory admin = (HttpConnectorFactory) server.getAdminConnectors().get(0);
        admin.setBindHost("127.0.0.1");
        admin.setPort(adminPort);
        return (S) this;
    }

    @JsonProperty
    public K getKafka() {
        return kafka;
    }

    @JsonProperty
    public void setKafka(K kafka) {
        this.kafka = kafka;
    }

    @JsonProperty
    public RegistryConnection getRegistry() {
        return registry;
    }

    @JsonProperty
    public void setRegistry(RegistryConnection registry) {
        this.registry = registry;
    }

    /**
     * How the other instances of the service reach this one, e.g. {@code http://audit-store-1.audit-store:8083}:
     * a query for data another instance holds is forwarded there. Unset: {@link #resolvedAdvertisedUrl()}.
     */
    @JsonProperty
    public String getAdvertisedUrl() {
        return advertisedUrl;
    }

    @JsonProperty
    public void setAdvertisedUrl(String advertisedUrl) {
        this.advertisedUrl = advertisedUrl;
    }

    /** The advertised URL as configured, else this host's name (or the bind host) and the application port. */
    public String resolvedAdvertisedUrl() {
        if (advertisedUrl != null) {
            return advertisedUrl;
        }
        HttpConnectorFactory connector = (HttpConnectorFactory) ((DefaultServerFactory) getServerFactory())
                .getApplicationConnectors().get(0);
        String host = connector.getBindHost();
        if (host == null || host.isBlank() || host.equals("0.0.0.0")) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = InetAddress.getLoopbackAddress().getHostAddress();
            }
        }
        return "http://" + host + ":" + connector.getPort();
    }
}
