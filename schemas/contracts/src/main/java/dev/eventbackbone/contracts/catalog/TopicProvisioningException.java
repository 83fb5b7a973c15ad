package dev.eventbackbone.contracts.catalog;

/** The cluster could not be asked about, or could not create, the catalog's topics. */
public final class TopicProvisioningException extends RuntimeException {

    public TopicProvisioningException(String message, Throwable cause) {
        super(message, cause);
    }
}
