package dev.eventbackbone.processors.audit;

import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditSeverity;
import dev.eventbackbone.processors.audit.AuditSettings.ActionMapping;
import dev.eventbackbone.processors.audit.AuditSettings.SeverityRule;
import dev.eventbackbone.processors.audit.AuditSettings.TenantRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules tables of normalization: action aliases to canonical {@code domain.verb} and severity
 * rules, built in ({@code audit-taxonomy.yml}) and extended per tenant. Immutable once built.
 */
final class AuditRules {

    static final String BUILT_IN = "audit-taxonomy.yml";

    /** Word boundaries inside camelCase: {@code loginFailed}, and {@code HTTPRequest} after an acronym. */
    private static final Pattern CAMEL_CASE = Pattern.compile("(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");
    private static final Pattern SEPARATORS = Pattern.compile("[^a-z0-9.]+");

    private final Map<String, ActionMapping> builtInActions;
    private final List<SeverityRule> builtInSeverity;
    private final Map<String, Map<String, ActionMapping>> tenantActions = new HashMap<>();
    private final Map<String, List<SeverityRule>> tenantSeverity = new HashMap<>();

    /** What a raw action was mapped to; {@code known} is false when no alias matched. */
    record Action(String canonical, AuditOutcome impliedOutcome, boolean known) {
    }

    private AuditRules(TenantRules builtIn, Map<String, TenantRules> tenants) {
        this.builtInActions = aliasTable(Map.of(), builtIn.getActions());
        this.builtInSeverity = List.copyOf(builtIn.getSeverity());
        tenants.forEach((tenant, rules) -> {
            tenantActions.put(tenant, aliasTable(builtInActions, rules.getActions()));
            List<SeverityRule> severity = new ArrayList<>(rules.getSeverity());
            severity.addAll(builtInSeverity);
            tenantSeverity.put(tenant, List.copyOf(severity));
        });
    }

    /** The built-in tables with the tenants' extensions. */
    static AuditRules load(Map<String, TenantRules> tenants) {
        YAMLMapper yaml = YAMLMapper.builder().enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS).build();
        try (InputStream in = AuditRules.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException(BUILT_IN + " is missing from the classpath");
            }
            return new AuditRules(yaml.readValue(in, TenantRules.class), tenants);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in " + BUILT_IN, e);
        }
    }

    /**
     * The comparable form of an action: camelCase split into words, lower-cased, every run of
     * characters other than letters, digits and '.' turned into one '_' ({@code LoginFailed} and
     * {@code LOGIN_FAILED} both become {@code login_failed}; {@code user.login} stays).
     */
    static String tokenize(String raw) {
        String words = CAMEL_CASE.matcher(raw.trim()).replaceAll("_").toLowerCase(Locale.ROOT);
        String joined = SEPARATORS.matcher(words).replaceAll("_");
        int start = 0;
        int end = joined.length();
        while (start < end && joined.charAt(start) == '_') {
            start++;
        }
        while (end > start && joined.charAt(end - 1) == '_') {
            end--;
        }
        return joined.substring(start, end);
    }

    /** The canonical action of a raw one; unknown actions keep their tokenized text. */
    Action action(String tenant, String raw) {
        String token = tokenize(raw);
        ActionMapping mapping = tenantActions.getOrDefault(tenant, builtInActions).get(token);
        return mapping == null
                ? new Action(token, null, false)
                : new Action(mapping.action(), mapping.outcome(), true);
    }

    /** The severity of the first matching rule, the tenant's rules first; UNKNOWN if none matches. */
    AuditSeverity severity(String tenant, String action, AuditOutcome outcome) {
        for (SeverityRule rule : tenantSeverity.getOrDefault(tenant, builtInSeverity)) {
            if (rule.matches(action, outcome)) {
                return rule.getSeverity();
            }
        }
        return AuditSeverity.UNKNOWN;
    }

    /**
     * {@code base} overridden by {@code aliases} (by tokenized alias), plus each canonical action as an
     * alias of itself where nothing maps it yet; a tenant's table is a whole copy so one look-up suffices.
     */
    private static Map<String, ActionMapping> aliasTable(Map<String, ActionMapping> base,
                                                         Map<String, ActionMapping> aliases) {
        Map<String, ActionMapping> table = new HashMap<>(base);
        aliases.forEach((alias, mapping) -> table.put(tokenize(alias), mapping));
        for (ActionMapping mapping : aliases.values()) {
            table.putIfAbsent(tokenize(mapping.action()), ActionMapping.of(mapping.action()));
        }
        return Map.copyOf(table);
    }
}
