package dev.eventbackbone.service;

import dev.eventbackbone.contracts.auth.ApiKey;
import dev.eventbackbone.contracts.auth.ApiKeyStore;

/** The one check every read or admin API makes of its caller: a known API key that holds the scope. */
public final class ApiKeyAuthorization {

    private ApiKeyAuthorization() {
    }

    /**
     * The caller's key.
     *
     * @throws ApiError.Failure 401 without a key or with an unknown one, 403 when it lacks the scope
     */
    public static ApiKey require(ApiKeyStore keys, String authorizationHeader, String scope) {
        String secret = ApiKeyStore.bearerSecret(authorizationHeader).orElseThrow(() -> ApiError.of(401,
                "missing_api_key", "No API key: send the header 'Authorization: Bearer <api key>'.").asException());
        ApiKey key = keys.authenticate(secret).orElseThrow(() -> ApiError.of(401, "unknown_api_key",
                "The API key is not known: check it, or create one with `backbone keys create --scopes " + scope
                        + "`.").asException());
        if (!key.allows(scope)) {
            throw ApiError.of(403, "forbidden", "API key " + key.id() + " of tenant " + key.tenant() + " lacks the"
                    + " scope '" + scope + "'; its scopes are " + key.scopes() + ".").asException();
        }
        return key;
    }
}
