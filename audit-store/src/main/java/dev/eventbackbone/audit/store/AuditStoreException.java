package dev.eventbackbone.audit.store;

/** The audit store could not read or write its RocksDB data, or refused an unsafe operation. */
public class AuditStoreException extends RuntimeException {

    public AuditStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
