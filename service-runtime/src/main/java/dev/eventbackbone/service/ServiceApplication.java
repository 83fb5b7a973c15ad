package dev.eventbackbone.service;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.ConfiguredBundle;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import java.util.Set;

/**
 * A backbone service: its YAML may use {@code ${VAR:-default}} to take any setting from the
 * environment, which is how containers and the example files configure it, and every answer it
 * gives, Jetty's own refusals included, is the JSON error body. A refusal that leaves the request
 * body unread ends the connection and says so. Its admin port answers {@code /ready} (can it serve:
 * every health check but those in {@link #checksNotNeededToServe}) beside Dropwizard's
 * {@code /ping} (is it alive) and {@code /healthcheck} (every check).
 */
public abstract class ServiceApplication<C extends Configuration> extends Application<C> {

    @Override
    public void initialize(Bootstrap<C> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
        bootstrap.addBundle(new ConfiguredBundle<>() {
            @Override
            public void run(C configuration, Environment environment) {
                environment.lifecycle().addServerLifecycleListener(server ->
                        server.setErrorHandler(new JsonErrorHandler()));
                environment.jersey().register(new UnreadBodyClosesConnection());
                environment.admin().addServlet("ready", new ReadinessServlet(environment.healthChecks(),
                        checksNotNeededToServe(configuration), environment.getObjectMapper()))
                        .addMapping(ReadinessServlet.PATH);
            }
        });
    }

    /**
     * Health checks whose failure does not stop this service from serving its clients, left out of
     * {@code /ready}: a readiness probe must not take an instance out of service for them.
     */
    protected Set<String> checksNotNeededToServe(C configuration) {
        return Set.of();
    }
}
