package dev.eventbackbone.ingest.validation;

/**
 * One reason a JSON event does not fit its stream's schema.
 *
 * @param path where in the body: {@code customerId}, {@code actor.id}, {@code items[2].quantity},
 *     {@code metadata.region}, or {@code $} for the body itself
 * @param message what was wrong there, e.g. {@code required} or {@code expected int, got string}
 */
public record FieldError(String path, String message) {

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
