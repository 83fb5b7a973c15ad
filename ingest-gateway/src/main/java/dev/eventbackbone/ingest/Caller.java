package dev.eventbackbone.ingest;

import dev.eventbackbone.contracts.auth.ApiKey;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.service.ApiError;

/** Turns an Authorization header into the caller's API key, or the 401 that says what is missing. */
final class Caller {

    private Caller() {
    }

    static ApiKey authenticate(ApiKeyStore keys, String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw ApiError.of(401, "missing_api_key",
                    "No API key: send the header 'Authorization: Bearer <api key>'.").asException();
        }
        String secret = ApiKeyStore.bearerSecret(authorization).orElseThrow(() -> ApiError.of(401,
                "missing_api_key", "The Authorization header must be 'Bearer <api key>'.").asException());
        return keys.authenticate(secret).orElseThrow(() -> ApiError.of(401, "unknown_api_key",
                "The API key is not known to this gateway: check it, or create one with `backbone keys create`.")
                .asException());
    }

    static void requireScope(ApiKey key, String scope) {
        if (!key.allows(scope)) {
            throw ApiError.of(403, "forbidden", "API key " + key.id() + " of tenant " + key.tenant()
                    + " lacks the scope '" + scope + "'; its scopes are " + key.scopes() + ".").asException();
        }
    }
}
