package dev.eventbackbone.ingest.spool;

/** The spool would exceed its size bound; nothing of the refused append was written. */
public final class SpoolFullException extends RuntimeException {

    public SpoolFullException(String message) {
        super(message);
    }
}
