package dev.eventbackbone.processors.notifications;

import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.QuietHours;
import dev.eventbackbone.contracts.events.RecipientPreferences;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/** What a recipient's preferences say: addresses per channel, opt-outs, quiet hours; and whether they are valid. */
final class Preferences {

    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");

    /** The field at fault and why. */
    record Problem(String field, String message) {
    }

    private Preferences() {
    }

    /** The first thing wrong with the preferences, or empty when they can be used as they are. */
    static Optional<Problem> problemOf(RecipientPreferences preferences) {
        if (blank(preferences.getTenantId()) || blank(preferences.getRecipientId())) {
            return Optional.of(new Problem("recipientId", "recipientId is required; the gateway fills tenantId."));
        }
        if (preferences.getEmail() != null) {
            try {
                new InternetAddress(preferences.getEmail(), true).validate();
            } catch (AddressException e) {
                return Optional.of(new Problem("email", "email '" + preferences.getEmail()
                        + "' is not an email address: " + e.getMessage()));
            }
        }
        if (preferences.getPhone() != null && !E164.matcher(preferences.getPhone()).matches()) {
            return Optional.of(new Problem("phone", "phone '" + preferences.getPhone()
                    + "' is not an E.164 number such as +41791234567."));
        }
        if (preferences.getWebhookUrl() != null && !isHttpUrl(preferences.getWebhookUrl())) {
            return Optional.of(new Problem("webhookUrl", "webhookUrl '" + preferences.getWebhookUrl()
                    + "' is not an absolute http(s) URL."));
        }
        if (preferences.getOptedOutChannels().contains(NotificationChannel.UNKNOWN)) {
            return Optional.of(new Problem("optedOutChannels", "optedOutChannels names a channel this version does"
                    + " not know; use EMAIL, SMS, PUSH or WEBHOOK."));
        }
        QuietHours quiet = preferences.getQuietHours();
        if (quiet != null) {
            try {
                LocalTime.parse(quiet.getStart());
                LocalTime.parse(quiet.getEnd());
            } catch (DateTimeParseException e) {
                return Optional.of(new Problem("quietHours", "quietHours start and end are local times HH:mm, e.g."
                        + " 22:00; got '" + quiet.getStart() + "' and '" + quiet.getEnd() + "'."));
            }
            try {
                ZoneId.of(quiet.getTimeZone());
            } catch (DateTimeException e) {
                return Optional.of(new Problem("quietHours.timeZone", "quietHours.timeZone '" + quiet.getTimeZone()
                        + "' is not an IANA time zone such as Europe/Zurich."));
            }
        }
        return Optional.empty();
    }

    /** The recipient's address on the channel, or null when there is none. */
    static String addressOn(RecipientPreferences preferences, NotificationChannel channel) {
        if (preferences == null) {
            return null;
        }
        return switch (channel) {
            case EMAIL -> preferences.getEmail();
            case SMS -> preferences.getPhone();
            case PUSH -> preferences.getPushTokens().isEmpty() ? null : preferences.getPushTokens().get(0);
            case WEBHOOK -> preferences.getWebhookUrl();
            case UNKNOWN -> null;
        };
    }

    /**
     * When a message due at {@code due} may go, given the recipient's quiet hours: {@code due}
     * itself outside them, else the end of the window it falls in.
     */
    static long afterQuietHours(RecipientPreferences preferences, long due) {
        QuietHours quiet = preferences == null ? null : preferences.getQuietHours();
        if (quiet == null) {
            return due;
        }
        ZoneId zone = ZoneId.of(quiet.getTimeZone());
        LocalTime start = LocalTime.parse(quiet.getStart());
        LocalTime end = LocalTime.parse(quiet.getEnd());
        ZonedDateTime at = Instant.ofEpochMilli(due).atZone(zone);
        LocalTime time = at.toLocalTime();
        if (start.equals(end)) {
            return due;
        }
        boolean quietNow = start.isBefore(end) ? !time.isBefore(start) && time.isBefore(end)
                : !time.isBefore(start) || time.isBefore(end);
        if (!quietNow) {
            return due;
        }
        ZonedDateTime endToday = at.with(end);
        ZonedDateTime until = endToday.isAfter(at) ? endToday : at.plusDays(1).with(end);
        return until.toInstant().toEpochMilli();
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = new URI(url);
            return uri.isAbsolute() && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
