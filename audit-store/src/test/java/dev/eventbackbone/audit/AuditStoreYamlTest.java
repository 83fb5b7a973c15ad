package dev.eventbackbone.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The example configuration operators start from is valid and says what the docs say. */
class AuditStoreYamlTest {

    @Test
    void exampleConfigurationLoadsWithItsDefaults() throws Exception {
        AuditStoreConfiguration configuration = new YamlConfigurationFactory<>(AuditStoreConfiguration.class,
                Validators.newValidator(), Jackson.newObjectMapper(), "dw")
                .build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
                        new EnvironmentVariableSubstitutor(false)), "audit-store.yml");

        assertThat(configuration.getKafka().getTopic()).isEqualTo("audit.events");
        assertThat(configuration.getSigningKeyFile()).isEqualTo(Path.of("audit-store-data/signing-key.pem"));
        assertThat(configuration.getKafka().getHeadsTopic()).isEqualTo("audit.heads");
        assertThat(configuration.getHeadEvery()).isEqualTo(10_000);
        assertThat(configuration.getHeadInterval().toSeconds()).isEqualTo(10);
        assertThat(configuration.isDevMode()).as("refuses to start without a signing key").isFalse();
        assertThat(configuration.getRetention().daysFor("acme")).isNull();
    }
}
