package dev.eventbackbone.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import org.junit.jupiter.api.Test;

/** The example configuration operators start from is valid and says what the docs say. */
class GatewayYamlTest {

    @Test
    void exampleConfigurationLoadsWithItsDefaults() throws Exception {
        IngestGatewayConfiguration configuration = new YamlConfigurationFactory<>(IngestGatewayConfiguration.class,
                Validators.newValidator(), Jackson.newObjectMapper(), "dw")
                .build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
                        new EnvironmentVariableSubstitutor(false)), "gateway.yml");

        assertThat(configuration.getKafka().getBootstrapServers()).isNotBlank();
        assertThat(configuration.getLimits().getMaxEventSize().toKibibytes()).isEqualTo(64);
        assertThat(configuration.getLimits().getMaxBatchEvents()).isEqualTo(500);
        assertThat(configuration.getRateLimits().getDefaults().getEventsPerSecond()).isEqualTo(50_000);
        assertThat(configuration.getIdempotency().getRetention().toHours()).isEqualTo(24);
    }
}
