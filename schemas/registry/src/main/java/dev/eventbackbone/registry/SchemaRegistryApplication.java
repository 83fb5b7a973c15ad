package dev.eventbackbone.registry;

import dev.eventbackbone.service.ServiceApplication;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Environment;

/**
 * The schema registry server: Confluent's REST API subset over schemas kept in a Kafka topic.
 * Run alone with {@code java -cp ... dev.eventbackbone.registry.SchemaRegistryApplication server
 * registry.yml}, or embed it by running it with a {@link SchemaRegistryConfiguration} built in
 * code; it keeps no static state, so several instances may share a JVM.
 */
public class SchemaRegistryApplication extends ServiceApplication<SchemaRegistryConfiguration> {

    public static void main(String[] args) throws Exception {
        new SchemaRegistryApplication().run(args);
    }

    @Override
    public String getName() {
        return "schema-registry";
    }

    @Override
    public void run(SchemaRegistryConfiguration configuration, Environment environment) {
        if (configuration.getServerFactory() instanceof AbstractServerFactory server) {
            // Dropwizard's own mappers answer in its {code, message} shape; Confluent clients need
            // {error_code, message} for every error, so ours is the only mapper.
            server.setRegisterDefaultExceptionMappers(false);
        }
        SchemaStore store = new SchemaStore(configuration);
        environment.lifecycle().manage(store);
        environment.healthChecks().register("schemas-topic", new SchemaStoreHealthCheck(store));

        var jersey = environment.jersey();
        jersey.register(new ErrorEnvelopeMapper());
        jersey.register(new RootResource());
        jersey.register(new SubjectsResource(store, environment.getObjectMapper()));
        jersey.register(new SchemasResource(store));
        jersey.register(new CompatibilityResource(store, environment.getObjectMapper()));
        jersey.register(new ConfigResource(store, environment.getObjectMapper()));
    }
}
