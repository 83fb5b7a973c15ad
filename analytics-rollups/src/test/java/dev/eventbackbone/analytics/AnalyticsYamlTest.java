package dev.eventbackbone.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** The example configuration is valid, and exactly-once cannot be configured away. */
class AnalyticsYamlTest {

    @Test
    void exampleConfigurationLoadsWithItsDefaults() throws Exception {
        AnalyticsConfiguration configuration = new YamlConfigurationFactory<>(AnalyticsConfiguration.class,
                Validators.newValidator(), Jackson.newObjectMapper(), "dw")
                .build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
                        new EnvironmentVariableSubstitutor(false)), "analytics-rollups.yml");

        assertThat(configuration.getRollups().getApplicationId()).isEqualTo("analytics-rollups");
        assertThat(configuration.getRollups().getGrace().toMinutes()).isEqualTo(2);
        assertThat(configuration.getRollups().getDecodedWindowsPerTask()).isEqualTo(256);
        assertThat(configuration.getStandbyReplicas()).isEqualTo(1);
        configuration.getKafka().getStreamsProperties().put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once");
        assertThat(AnalyticsApplication.streamsConfig(configuration, new HostInfo("a", 8084)))
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1)
                .containsEntry(StreamsConfig.APPLICATION_SERVER_CONFIG, "a:8084")
                .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
    }
}
