package dev.eventbackbone.processors.audit;

import dev.eventbackbone.contracts.events.AuditActorType;
import dev.eventbackbone.contracts.events.AuditOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The words services use for outcomes and kinds of actor, mapped to the normalized enums. */
final class Vocabulary {

    private static final Map<String, AuditOutcome> OUTCOMES = words(Map.of(
            AuditOutcome.SUCCESS, List.of("success", "succeeded", "successful", "ok", "allowed", "true", "pass",
                    "passed"),
            AuditOutcome.FAILURE, List.of("failure", "failed", "fail", "false", "invalid"),
            AuditOutcome.DENIED, List.of("denied", "forbidden", "unauthorized", "blocked", "rejected"),
            AuditOutcome.ERROR, List.of("error", "exception", "errored")));

    private static final Map<String, AuditActorType> ACTOR_TYPES = words(Map.of(
            AuditActorType.USER, List.of("user", "human", "member", "person", "customer"),
            AuditActorType.SERVICE, List.of("service", "app", "application", "client", "bot", "integration"),
            AuditActorType.API_KEY, List.of("api_key", "apikey", "api-key", "token", "key"),
            AuditActorType.SYSTEM, List.of("system", "internal", "cron", "scheduler"),
            AuditActorType.ANONYMOUS, List.of("anonymous", "anon", "guest", "unauthenticated")));

    /** Loose on purpose: something@something.tld is an e-mail-shaped user id. */
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private Vocabulary() {
    }

    static boolean isEmail(String text) {
        return EMAIL.matcher(text).matches();
    }

    /** The outcome a service's word names, or null when it names none of them (or is absent). */
    static AuditOutcome outcome(String raw) {
        return raw == null ? null : OUTCOMES.get(raw.trim().toLowerCase(Locale.ROOT));
    }

    /** The kind of actor an actor record's {@code type} names; UNKNOWN when absent or unknown. */
    static AuditActorType actorType(String type) {
        return type == null ? AuditActorType.UNKNOWN
                : ACTOR_TYPES.getOrDefault(type.trim().toLowerCase(Locale.ROOT), AuditActorType.UNKNOWN);
    }

    /** The kind of actor a bare actor id string suggests by its shape or prefix. */
    static AuditActorType actorTypeOfId(String id) {
        String text = id.trim().toLowerCase(Locale.ROOT);
        if (List.of("anonymous", "anon", "guest", "-").contains(text)) {
            return AuditActorType.ANONYMOUS;
        }
        if (text.equals("system") || text.startsWith("system:")) {
            return AuditActorType.SYSTEM;
        }
        if (text.startsWith("svc:") || text.startsWith("service:") || text.startsWith("svc-")) {
            return AuditActorType.SERVICE;
        }
        if (text.startsWith("key:") || text.startsWith("apikey:")) {
            return AuditActorType.API_KEY;
        }
        if (text.startsWith("user:") || EMAIL.matcher(text).matches()) {
            return AuditActorType.USER;
        }
        return AuditActorType.UNKNOWN;
    }

    private static <E> Map<String, E> words(Map<E, List<String>> byValue) {
        Map<String, E> byWord = new HashMap<>();
        byValue.forEach((value, words) -> words.forEach(word -> byWord.put(word, value)));
        return Map.copyOf(byWord);
    }
}
