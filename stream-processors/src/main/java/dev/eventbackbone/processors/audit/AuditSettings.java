package dev.eventbackbone.processors.audit;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditSeverity;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Settings of the audit normalization topology ({@code audit:} in the service's YAML). The defaults
 * suit most tenants; everything per tenant only adds to or overrides them.
 */
public class AuditSettings {

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    private Duration dedupeWindow = Duration.days(7);

    @NotNull
    private Duration clockSkew = Duration.minutes(5);

    @Valid
    @NotNull
    private FailedLogins failedLogins = new FailedLogins();

    @Valid
    @NotNull
    private Privacy privacy = new Privacy();

    @Valid
    @NotNull
    private Map<String, TenantRules> tenants = new LinkedHashMap<>();

    /** How long an eventId is remembered to drop retried copies of an event already normalized. */
    @JsonProperty
    public Duration getDedupeWindow() {
        return dedupeWindow;
    }

    @JsonProperty
    public void setDedupeWindow(Duration dedupeWindow) {
        this.dedupeWindow = dedupeWindow;
    }

    /** How far a reported occurredAt may lie after receivedAt before it is flagged occurredAtInFuture. */
    @JsonProperty
    public Duration getClockSkew() {
        return clockSkew;
    }

    @JsonProperty
    public void setClockSkew(Duration clockSkew) {
        this.clockSkew = clockSkew;
    }

    @JsonProperty
    public FailedLogins getFailedLogins() {
        return failedLogins;
    }

    @JsonProperty
    public void setFailedLogins(FailedLogins failedLogins) {
        this.failedLogins = failedLogins;
    }

    @JsonProperty
    public Privacy getPrivacy() {
        return privacy;
    }

    @JsonProperty
    public void setPrivacy(Privacy privacy) {
        this.privacy = privacy;
    }

    /** Per-tenant action aliases and severity rules, taking precedence over the built-in tables. */
    @JsonProperty
    public Map<String, TenantRules> getTenants() {
        return tenants;
    }

    @JsonProperty
    public void setTenants(Map<String, TenantRules> tenants) {
        this.tenants = tenants;
    }

    /** The failed-login burst detector: {@code threshold} auth.login failures of one actor within {@code window}. */
    public static class FailedLogins {

        @Min(2)
        private int threshold = 5;

        @NotNull
        @MinDuration(value = 1, unit = TimeUnit.SECONDS)
        private Duration window = Duration.minutes(5);

        @JsonProperty
        public int getThreshold() {
            return threshold;
        }

        @JsonProperty
        public void setThreshold(int threshold) {
            this.threshold = threshold;
        }

        @JsonProperty
        public Duration getWindow() {
            return window;
        }

        @JsonProperty
        public void setWindow(Duration window) {
            this.window = window;
        }
    }

    /** What is kept of personal data: a default policy and per-tenant replacements of it. */
    public static class Privacy {

        @Valid
        @NotNull
        private PrivacyPolicy defaults = new PrivacyPolicy();

        @Valid
        @NotNull
        private Map<String, PrivacyPolicy> tenants = new LinkedHashMap<>();

        @JsonProperty("default")
        public PrivacyPolicy getDefaults() {
            return defaults;
        }

        @JsonProperty("default")
        public void setDefaults(PrivacyPolicy defaults) {
            this.defaults = defaults;
        }

        /** A tenant listed here uses its own policy as a whole instead of the default one. */
        @JsonProperty
        public Map<String, PrivacyPolicy> getTenants() {
            return tenants;
        }

        @JsonProperty
        public void setTenants(Map<String, PrivacyPolicy> tenants) {
            this.tenants = tenants;
        }

        PrivacyPolicy policyOf(String tenant) {
            return tenants.getOrDefault(tenant, defaults);
        }
    }

    /** What happens to client IP addresses; e-mail addresses are never stored, only hashed, whatever the policy. */
    public static class PrivacyPolicy {

        @NotNull
        private IpMode ip = IpMode.TRUNCATE;

        private String ipHashKey;

        @JsonProperty
        public IpMode getIp() {
            return ip;
        }

        @JsonProperty
        public void setIp(IpMode ip) {
            this.ip = ip;
        }

        /** Secret of the HMAC that HASH uses, so hashes cannot be reversed by hashing all addresses; required by HASH. */
        @JsonProperty
        public String getIpHashKey() {
            return ipHashKey;
        }

        @JsonProperty
        public void setIpHashKey(String ipHashKey) {
            this.ipHashKey = ipHashKey;
        }
    }

    /** KEEP verbatim; TRUNCATE IPv4 to /24 and IPv6 to /48; HASH to {@code hmac-sha256:<hex>}. */
    public enum IpMode {
        KEEP, TRUNCATE, HASH
    }

    /**
     * Extra rules of one tenant. The built-in table ({@code audit-taxonomy.yml}) has the same shape:
     * {@code actions} maps an alias (tokenized like raw actions) to a canonical action, written either
     * as {@code alias: domain.verb} or {@code alias: {action: domain.verb, outcome: FAILURE}};
     * {@code severity} rules are tried in order before the built-in ones.
     */
    public static class TenantRules {

        @NotNull
        private Map<String, @NotNull ActionMapping> actions = new LinkedHashMap<>();

        @Valid
        @NotNull
        private List<SeverityRule> severity = new ArrayList<>();

        @JsonProperty
        public Map<String, ActionMapping> getActions() {
            return actions;
        }

        @JsonProperty
        public void setActions(Map<String, ActionMapping> actions) {
            this.actions = actions;
        }

        @JsonProperty
        public List<SeverityRule> getSeverity() {
            return severity;
        }

        @JsonProperty
        public void setSeverity(List<SeverityRule> severity) {
            this.severity = severity;
        }
    }

    /** The canonical action an alias stands for, and the outcome the alias itself implies, if any. */
    public record ActionMapping(String action, AuditOutcome outcome) {

        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public ActionMapping(@JsonProperty("action") String action, @JsonProperty("outcome") AuditOutcome outcome) {
            if (action == null || action.isBlank()) {
                throw new IllegalArgumentException("an action mapping needs a canonical action");
            }
            this.action = action;
            this.outcome = outcome;
        }

        /** The short form {@code alias: domain.verb}. */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static ActionMapping of(String action) {
            return new ActionMapping(action, null);
        }
    }

    /**
     * Severity of records whose action matches {@code action} (exact, a prefix like {@code role.*},
     * a suffix like {@code *.delete}, or {@code *}) and, when given, whose outcome is {@code outcome}.
     */
    public static class SeverityRule {

        @NotBlank
        private String action;

        private AuditOutcome outcome;

        @NotNull
        private AuditSeverity severity;

        public SeverityRule() {
        }

        public SeverityRule(String action, AuditOutcome outcome, AuditSeverity severity) {
            this.action = action;
            this.outcome = outcome;
            this.severity = severity;
        }

        @JsonProperty
        public String getAction() {
            return action;
        }

        @JsonProperty
        public void setAction(String action) {
            this.action = action;
        }

        @JsonProperty
        public AuditOutcome getOutcome() {
            return outcome;
        }

        @JsonProperty
        public void setOutcome(AuditOutcome outcome) {
            this.outcome = outcome;
        }

        @JsonProperty
        public AuditSeverity getSeverity() {
            return severity;
        }

        @JsonProperty
        public void setSeverity(AuditSeverity severity) {
            this.severity = severity;
        }

        boolean matches(String canonicalAction, AuditOutcome actual) {
            if (outcome != null && outcome != actual) {
                return false;
            }
            if (action.equals("*")) {
                return true;
            }
            if (action.endsWith("*")) {
                return canonicalAction.startsWith(action.substring(0, action.length() - 1));
            }
            if (action.startsWith("*")) {
                return canonicalAction.endsWith(action.substring(1));
            }
            return canonicalAction.equals(action);
        }
    }
}
