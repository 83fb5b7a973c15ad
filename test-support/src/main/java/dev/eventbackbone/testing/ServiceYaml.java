package dev.eventbackbone.testing;

/**
 * The part every service's YAML in a test ends with: its application and admin connectors on
 * loopback at the given ports, and logging at INFO with Kafka's clients at WARN.
 *
 * <pre>{@code
 * Files.writeString(config, """
 *         kafka:
 *           bootstrapServers: %s
 *         %s""".formatted(bootstrap, ServiceYaml.onLoopback(port, adminPort)));
 * }</pre>
 */
public final class ServiceYaml {

    private ServiceYaml() {
    }

    /** The {@code server:} and {@code logging:} blocks, unindented, ending with a line break. */
    public static String onLoopback(int port, int adminPort) {
        return """
                server:
                  applicationConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %d
                  adminConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %d
                logging:
                  level: INFO
                  loggers:
                    org.apache.kafka: WARN
                """.formatted(port, adminPort);
    }
}
