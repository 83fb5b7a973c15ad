package dev.eventbackbone.contracts.catalog;

import java.time.Duration;

/**
 * How long a topic keeps records: a duration, or forever ({@code retention.ms=-1}).
 *
 * @param millis the value of {@code retention.ms}; {@code -1} means infinite
 */
public record Retention(long millis) {

    private static final long INFINITE_MILLIS = -1L;

    public Retention {
        if (millis != INFINITE_MILLIS && millis <= 0) {
            throw new IllegalArgumentException("retention must be positive or infinite (-1), was " + millis
                    + " ms; use Retention.of(Duration) or Retention.infinite()");
        }
    }

    public static Retention of(Duration duration) {
        return new Retention(duration.toMillis());
    }

    public static Retention ofDays(long days) {
        return of(Duration.ofDays(days));
    }

    public static Retention infinite() {
        return new Retention(INFINITE_MILLIS);
    }

    public boolean isInfinite() {
        return millis == INFINITE_MILLIS;
    }

    /** The value of {@code retention.ms}. */
    public String configValue() {
        return Long.toString(millis);
    }

    /** Reads as {@code infinite}, {@code 7 days}, {@code 1 day} or, for durations that are not whole days, ISO-8601. */
    @Override
    public String toString() {
        if (isInfinite()) {
            return "infinite";
        }
        Duration duration = Duration.ofMillis(millis);
        if (duration.toDaysPart() > 0 && duration.equals(Duration.ofDays(duration.toDays()))) {
            return duration.toDays() == 1 ? "1 day" : duration.toDays() + " days";
        }
        return duration.toString();
    }
}
