package dev.eventbackbone.contracts.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * One API key as the keys file holds it: never the key itself, only its SHA-256 hash, with the
 * tenant it belongs to and what it may do.
 *
 * @param id        a public name of the key, safe to log ({@code key-} and the first hash digits)
 * @param tenant    the tenant every event sent with the key is stamped with
 * @param scopes    e.g. {@code ingest:audit}, {@code ingest:*}, {@code read:audit}, {@code admin}
 * @param source    the service name stamped on events whose body names none; null means {@code http}
 * @param sha256    lowercase hex SHA-256 of the key's UTF-8 bytes
 * @param createdAt when the key was created
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiKey(@JsonProperty("id") String id,
                     @JsonProperty("tenant") String tenant,
                     @JsonProperty("scopes") List<String> scopes,
                     @JsonProperty("source") String source,
                     @JsonProperty("sha256") String sha256,
                     @JsonProperty("createdAt") Instant createdAt) {

    public static final String ADMIN_SCOPE = "admin";

    public ApiKey {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
    }

    /** True when the key holds the scope itself, its {@code <kind>:*} wildcard, or {@code admin}. */
    public boolean allows(String scope) {
        int colon = scope.indexOf(':');
        String wildcard = colon < 0 ? null : scope.substring(0, colon) + ":*";
        for (String held : scopes) {
            if (held.equals(scope) || held.equals(ADMIN_SCOPE) || held.equals(wildcard)) {
                return true;
            }
        }
        return false;
    }
}
