package dev.eventbackbone.launcher;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import java.nio.file.Path;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Runs a Dropwizard application inside this JVM from a configuration object, the way its
 * {@code server} command would, but without taking over logging or the process: several
 * services share one launcher JVM, and the launcher owns logging and shutdown.
 */
public final class DropwizardServer implements AutoCloseable {

    private final String name;
    private final Server server;

    private DropwizardServer(String name, Server server) {
        this.name = name;
        this.server = server;
    }

    public static <C extends Configuration> DropwizardServer start(Application<C> application, C configuration)
            throws Exception {
        Bootstrap<C> bootstrap = new Bootstrap<>(application);
        application.initialize(bootstrap);
        return start(application, bootstrap, configuration);
    }

    /**
     * The application with the configuration in {@code yaml} (its {@code ${VAR:-default}}
     * placeholders filled from the environment), logging as the YAML says: a service on its own,
     * as Dropwizard's {@code server} command would start it.
     */
    public static <C extends Configuration> DropwizardServer startFromYaml(Application<C> application, Path yaml)
            throws Exception {
        Bootstrap<C> bootstrap = new Bootstrap<>(application);
        application.initialize(bootstrap);
        C configuration = bootstrap.getConfigurationFactoryFactory().create(application.getConfigurationClass(),
                bootstrap.getValidatorFactory().getValidator(), bootstrap.getObjectMapper(), "dw")
                .build(bootstrap.getConfigurationSourceProvider(), yaml.toString());
        configuration.getLoggingFactory().configure(bootstrap.getMetricRegistry(), application.getName());
        return start(application, bootstrap, configuration);
    }

    private static <C extends Configuration> DropwizardServer start(Application<C> application, Bootstrap<C> bootstrap,
                                                                     C configuration) throws Exception {
        var violations = bootstrap.getValidatorFactory().getValidator().validate(configuration);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException(application.getName() + " configuration is invalid: " + violations);
        }
        Environment environment = new Environment(application.getName(), bootstrap.getObjectMapper(),
                bootstrap.getValidatorFactory(), bootstrap.getMetricRegistry(), bootstrap.getClassLoader(),
                bootstrap.getHealthCheckRegistry(), configuration);
        configuration.getMetricsFactory().configure(environment.lifecycle(), bootstrap.getMetricRegistry());
        configuration.getServerFactory().configure(environment);
        bootstrap.run(configuration, environment);
        application.run(configuration, environment);
        Server server = configuration.getServerFactory().build(environment);
        // The launcher stops every part in order from its own shutdown hook; Jetty's would race it.
        server.setStopAtShutdown(false);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new DropwizardServer(application.getName(), server);
    }

    /** The port the first connector listens on, resolved when it was configured as 0. */
    public int localPort() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** The port of the admin connector (health, metrics), for servers with separate admin connectors. */
    public int adminPort() {
        return ((ServerConnector) server.getConnectors()[server.getConnectors().length - 1]).getLocalPort();
    }

    @Override
    public String toString() {
        return name;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
