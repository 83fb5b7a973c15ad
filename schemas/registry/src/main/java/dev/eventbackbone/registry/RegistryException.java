package dev.eventbackbone.registry;

/**
 * A request the registry refuses, carrying Confluent's HTTP status and {@code error_code} so
 * clients written for Confluent's registry recognise it.
 */
final class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final int errorCode;

    private RegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    int httpStatus() {
        return httpStatus;
    }

    int errorCode() {
        return errorCode;
    }

    static RegistryException subjectNotFound(String subject) {
        return new RegistryException(404, 40401, "Subject '" + subject + "' not found.", null);
    }

    static RegistryException versionNotFound(String subject, int version) {
        return new RegistryException(404, 40402,
                "Version " + version + " not found for subject '" + subject + "'.", null);
    }

    static RegistryException schemaNotFound(String detail) {
        return new RegistryException(404, 40403, "Schema not found: " + detail, null);
    }

    static RegistryException subjectCompatibilityNotConfigured(String subject) {
        return new RegistryException(404, 40408, "Subject '" + subject
                + "' does not have subject-level compatibility configured;"
                + " the global level applies (GET /config, or add ?defaultToGlobal=true).", null);
    }

    static RegistryException alreadySoftDeleted(String what, int errorCode) {
        return new RegistryException(404, errorCode, what + " was soft deleted."
                + " Set permanent=true to delete permanently.", null);
    }

    static RegistryException notSoftDeletedFirst(String what, int errorCode) {
        return new RegistryException(404, errorCode, what + " was not deleted first before being"
                + " permanently deleted; delete it without permanent=true first.", null);
    }

    static RegistryException incompatible(String message) {
        return new RegistryException(409, 409, message, null);
    }

    static RegistryException badRequest(String message, Throwable cause) {
        return new RegistryException(400, 400, message, cause);
    }

    static RegistryException invalidSchema(String message, Throwable cause) {
        return new RegistryException(422, 42201, message, cause);
    }

    static RegistryException invalidVersion(String version) {
        return new RegistryException(422, 42202, "The specified version '" + version
                + "' is not a valid version id. Allowed values are between [1, 2^31-1]"
                + " and the string \"latest\".", null);
    }

    static RegistryException invalidCompatibilityLevel(String message) {
        return new RegistryException(422, 42203, message, null);
    }

    static RegistryException storeError(String message, Throwable cause) {
        return new RegistryException(500, 50001, message, cause);
    }

    static RegistryException timeout(String message) {
        return new RegistryException(500, 50002, message, null);
    }
}
