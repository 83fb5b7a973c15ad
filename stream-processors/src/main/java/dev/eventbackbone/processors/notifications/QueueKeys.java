package dev.eventbackbone.processors.notifications;

import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationMessage;
import dev.eventbackbone.contracts.events.NotificationPriority;

/**
 * Keys of the waiting messages: {@code <channel>|<rank>|<dueAt>|<sequence>|<tenant>:<messageId>},
 * with the rank 0 for CRITICAL to 3 for LOW, and {@code dueAt} and {@code sequence} (the offset
 * the message arrived at) in fixed-width digits, so the store's byte order is release order: per
 * channel, by priority, by due time, then first come first served.
 */
final class QueueKeys {

    private static final int DIGITS = 19;

    private QueueKeys() {
    }

    static String of(NotificationMessage message, long sequence) {
        return prefix(message.getChannel(), message.getPriority()) + digits(message.getDueAt().toEpochMilli()) + "|"
                + digits(sequence) + "|" + message.getTenantId() + ":" + message.getMessageId();
    }

    /** The sequence a key was made with, so a message that waits longer keeps its place among its peers. */
    static long sequenceOf(String key) {
        String[] parts = key.split("\\|", 5);
        return Long.parseLong(parts[3]);
    }

    /** The first key a message of the channel and priority can have. */
    static String from(NotificationChannel channel, NotificationPriority priority) {
        return prefix(channel, priority) + digits(0);
    }

    /** Above every key of the channel and priority due at or before {@code now}, below every later one. */
    static String until(NotificationChannel channel, NotificationPriority priority, long now) {
        return prefix(channel, priority) + digits(now + 1);
    }

    private static String prefix(NotificationChannel channel, NotificationPriority priority) {
        return channel.name() + "|" + rank(priority) + "|";
    }

    private static int rank(NotificationPriority priority) {
        return switch (priority) {
            case CRITICAL -> 0;
            case HIGH -> 1;
            case NORMAL -> 2;
            case LOW -> 3;
        };
    }

    static String digits(long millis) {
        String plain = Long.toString(millis);
        return "0".repeat(Math.max(0, DIGITS - plain.length())) + plain;
    }
}
