package dev.eventbackbone.ingest;

import java.nio.file.Path;

/** Gateway settings for a test: loopback, free ports, the given broker, registry and keys; the rest as shipped. */
final class GatewayConfigurations {

    private GatewayConfigurations() {
    }

    static IngestGatewayConfiguration forTest(String bootstrapServers, String registryUrl, Path keysFile) {
        IngestGatewayConfiguration configuration = new IngestGatewayConfiguration().embeddedOnLoopback(0, 0);
        configuration.getKafka().setBootstrapServers(bootstrapServers);
        configuration.getRegistry().setUrl(registryUrl);
        configuration.setKeysFile(keysFile);
        return configuration;
    }
}
