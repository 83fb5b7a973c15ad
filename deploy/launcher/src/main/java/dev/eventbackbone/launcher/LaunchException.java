package dev.eventbackbone.launcher;

/** A failure the user can fix from its message alone (a busy port, a bad flag): shown without a stack trace. */
public final class LaunchException extends RuntimeException {

    public LaunchException(String message) {
        super(message);
    }
}
