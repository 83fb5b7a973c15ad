package dev.eventbackbone.processors.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditSeverity;
import dev.eventbackbone.processors.audit.AuditSettings.ActionMapping;
import dev.eventbackbone.processors.audit.AuditSettings.SeverityRule;
import dev.eventbackbone.processors.audit.AuditSettings.TenantRules;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuditRulesTest {

    private final AuditRules builtIn = AuditRules.load(Map.of());

    @ParameterizedTest
    @CsvSource({"LoginFailed, login_failed", "LOGIN_SUCCESS, login_success", "user.login, user.login",
            "'  Sign In! ', sign_in", "file--upload, file_upload", "HTTPRequestSent, http_request_sent",
            "2FAEnabled, 2fa_enabled", "api-key.Create, api_key.create"})
    void tokenizesRawActions(String raw, String token) {
        assertThat(AuditRules.tokenize(raw)).isEqualTo(token);
    }

    @Test
    void mapsEveryCanonicalActionOfTheBuiltInTableToItself() {
        for (String canonical : new String[] {"auth.login", "auth.logout", "file.view", "role.revoke",
                "api_key.revoke", "settings.update", "record.delete", "resource.delete"}) {
            AuditRules.Action action = builtIn.action("acme", canonical);
            assertThat(action.canonical()).isEqualTo(canonical);
            assertThat(action.known()).isTrue();
        }
        assertThat(builtIn.action("acme", "authz.denied").impliedOutcome()).isEqualTo(AuditOutcome.DENIED);
    }

    @Test
    void letsATenantsAliasWinWithoutLosingTheBuiltInImplications() {
        TenantRules globex = new TenantRules();
        globex.getActions().put("login", new ActionMapping("auth.login", AuditOutcome.SUCCESS));
        globex.getActions().put("blocked", ActionMapping.of("authz.denied"));
        AuditRules rules = AuditRules.load(Map.of("globex", globex));

        assertThat(rules.action("globex", "login").impliedOutcome()).isEqualTo(AuditOutcome.SUCCESS);
        assertThat(rules.action("acme", "login").impliedOutcome()).isNull();
        assertThat(rules.action("globex", "blocked").impliedOutcome()).isNull();
        assertThat(rules.action("globex", "authz.denied").impliedOutcome()).isEqualTo(AuditOutcome.DENIED);
    }

    @Test
    void matchesSeverityPatternsExactlyByPrefixAndBySuffix() {
        assertThat(new SeverityRule("role.*", null, AuditSeverity.HIGH).matches("role.grant", AuditOutcome.UNKNOWN))
                .isTrue();
        assertThat(new SeverityRule("role.*", null, AuditSeverity.HIGH).matches("roles.grant", AuditOutcome.UNKNOWN))
                .isFalse();
        assertThat(new SeverityRule("*.delete", null, AuditSeverity.HIGH).matches("file.delete", AuditOutcome.SUCCESS))
                .isTrue();
        assertThat(new SeverityRule("auth.login", AuditOutcome.FAILURE, AuditSeverity.WARNING)
                .matches("auth.login", AuditOutcome.SUCCESS)).isFalse();
        assertThat(builtIn.severity("acme", "anything.else", AuditOutcome.UNKNOWN)).isEqualTo(AuditSeverity.INFO);
    }
}
