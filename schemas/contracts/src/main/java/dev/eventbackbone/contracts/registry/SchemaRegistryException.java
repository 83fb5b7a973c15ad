package dev.eventbackbone.contracts.registry;

/**
 * A registry request that failed: the registry answered with an error, or no registry URL could
 * be reached. Carries what a caller needs to decide what to do: the HTTP status, Confluent's
 * {@code error_code} (e.g. 40401 subject not found, 40403 schema not found, 409 incompatible
 * schema, 42201 invalid schema) and the URL that was asked.
 */
public final class SchemaRegistryException extends RuntimeException {

    /** The status of a failure that got no HTTP answer at all (connection refused, timeout). */
    public static final int NO_RESPONSE = -1;

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;

    private final int status;
    private final int errorCode;
    private final String url;

    SchemaRegistryException(int status, int errorCode, String message, String url, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
        this.url = url;
    }

    static SchemaRegistryException answered(int status, int errorCode, String registryMessage, String method,
                                            String url) {
        return new SchemaRegistryException(status, errorCode,
                method + " " + url + " failed with HTTP " + status + ", error_code " + errorCode + ": "
                        + registryMessage, url, null);
    }

    /** The HTTP status, or {@link #NO_RESPONSE} when no registry answered. */
    public int status() {
        return status;
    }

    /** True when the registry was unreachable, overloaded or failing, and asking again later may succeed. */
    public boolean retryable() {
        return RetryPolicy.isRetryable(status);
    }

    /** Confluent's {@code error_code} from the error body; the HTTP status when the body had none. */
    public int errorCode() {
        return errorCode;
    }

    /** The request URL that failed (the last one tried when failing over). */
    public String url() {
        return url;
    }

    boolean isNotFound(int... codes) {
        for (int code : codes) {
            if (errorCode == code) {
                return true;
            }
        }
        return false;
    }
}
