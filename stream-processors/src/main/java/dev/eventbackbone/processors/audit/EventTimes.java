package dev.eventbackbone.processors.audit;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Reads the lenient raw {@code occurredAt} (epoch seconds, epoch millis or ISO-8601 text) as epoch millis. */
final class EventTimes {

    /** Longs below this are epoch seconds: as millis they would be before 1973, as seconds they reach year 5138. */
    static final long SECONDS_BELOW = 100_000_000_000L;

    private EventTimes() {
    }

    /** When the action happened, in epoch millis; null when absent or unreadable (the caller falls back). */
    static Long occurredAtMillis(Object raw) {
        if (raw instanceof Long number) {
            return fromEpoch(number);
        }
        if (raw instanceof CharSequence chars) {
            String text = chars.toString().trim();
            try {
                return fromEpoch(Long.parseLong(text));
            } catch (NumberFormatException notANumber) {
                try {
                    // Offset required: a local time would be guessed into some zone, which an audit log must not do.
                    return OffsetDateTime.parse(text).toInstant().toEpochMilli();
                } catch (DateTimeParseException | ArithmeticException unreadable) {
                    return null;
                }
            }
        }
        return null;
    }

    private static long fromEpoch(long value) {
        return Math.abs(value) < SECONDS_BELOW ? value * 1000 : value;
    }
}
