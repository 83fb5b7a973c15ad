package dev.eventbackbone.processors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationPriority;
import dev.eventbackbone.processors.audit.AuditSettings;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The example configuration is valid, and tenant rules read in both of their YAML forms. */
class StreamProcessorsYamlTest {

    @Test
    void exampleConfigurationLoadsWithItsDefaults() throws Exception {
        StreamProcessorsConfiguration configuration = load(new SubstitutingSourceProvider(
                new FileConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)),
                "stream-processors.yml");

        assertThat(configuration.getApplicationId()).isEqualTo("audit-normalizer");
        assertThat(configuration.getAudit().getDedupeWindow().toDays()).isEqualTo(7);
        assertThat(configuration.getAudit().getFailedLogins().getThreshold()).isEqualTo(5);
        assertThat(configuration.getAudit().getPrivacy().getDefaults().getIp()).isEqualTo(AuditSettings.IpMode.TRUNCATE);
        assertThat(configuration.getOrders().getApplicationId()).isEqualTo("order-processor");
        assertThat(configuration.getOrders().getPaymentTimeout().toMinutes()).isEqualTo(15);
        assertThat(configuration.getOrders().getTenants()).isEmpty();
        assertThat(configuration.getNotifications().getApplicationId()).isEqualTo("notification-fanout");
        assertThat(configuration.getNotifications().getChannels().get(NotificationChannel.EMAIL).getRate()).isEqualTo(50);
        assertThat(configuration.getNotifications().getRecipientLimits().get(NotificationPriority.LOW).getMax())
                .isEqualTo(3);
        assertThat(configuration.getNotifications().getRetrySchedule()).hasSize(7);
        assertThat(configuration.getNotifications().getEmail().getSmtp()).singleElement()
                .satisfies(server -> assertThat(server.getPort()).isEqualTo(2525));
        assertThat(StreamProcessorsApplication.streamsConfig(configuration, "order-processor"))
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "order-processor")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry("security.protocol", "PLAINTEXT")
                .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
    }

    @Test
    void readsTenantAliasesInShortAndLongFormAndSeverityRules() throws Exception {
        String yaml = """
                audit:
                  tenants:
                    acme:
                      actions:
                        SessionOpened: auth.login
                        logon_rejected: {action: auth.login, outcome: failure}
                      severity:
                        - {action: "file.*", severity: HIGH}
                orders:
                  tenants:
                    acme:
                      spendingLimits: {EUR: 500000}
                      spendingWindow: 12h
                kafka:
                  streamsProperties:
                    processing.guarantee: at_least_once
                """;
        ConfigurationSourceProvider inline = path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));

        StreamProcessorsConfiguration configuration = load(inline, "inline.yml");

        AuditSettings.TenantRules acme = configuration.getAudit().getTenants().get("acme");
        assertThat(acme.getActions().get("SessionOpened")).isEqualTo(AuditSettings.ActionMapping.of("auth.login"));
        assertThat(acme.getActions().get("logon_rejected"))
                .isEqualTo(new AuditSettings.ActionMapping("auth.login", AuditOutcome.FAILURE));
        assertThat(acme.getSeverity()).singleElement().extracting(AuditSettings.SeverityRule::getAction)
                .isEqualTo("file.*");
        assertThat(configuration.getOrders().getTenants().get("acme").getSpendingLimits()).containsEntry("EUR", 500_000L);
        assertThat(configuration.getOrders().getTenants().get("acme").getSpendingWindow().toHours()).isEqualTo(12);
        assertThat(StreamProcessorsApplication.streamsConfig(configuration, "audit-normalizer"))
                .as("exactly-once cannot be configured away")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    }

    private static StreamProcessorsConfiguration load(ConfigurationSourceProvider source, String path)
            throws Exception {
        return new YamlConfigurationFactory<>(StreamProcessorsConfiguration.class, Validators.newValidator(),
                Jackson.newObjectMapper(), "dw").build(source, path);
    }
}
