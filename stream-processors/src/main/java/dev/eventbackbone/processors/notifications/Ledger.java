package dev.eventbackbone.processors.notifications;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened to one notification request (state, JSON): per channel its status and every
 * attempt's outcome, as the delivery results told it. Kept in the fan-out's store keyed
 * {@code tenant:eventId}, for {@code GET /v1/notifications/{eventId}}.
 */
final class Ledger {

    String tenantId;
    String recipientId;
    String eventId;
    long receivedAt;
    Map<String, Channel> channels = new LinkedHashMap<>();

    /** One channel's delivery: QUEUED until a result arrives, then the latest result's status. */
    static final class Channel {
        String messageId;
        String idempotencyKey;
        /** The address the message went to, as the preferences named it then. */
        String destination;
        String status;
        List<Attempt> attempts = new ArrayList<>();
    }

    /** One result on notifications.results. */
    static final class Attempt {
        int attempt;
        String status;
        String provider;
        String providerMessageId;
        String errorCode;
        String error;
        Long nextAttemptAt;
        long completedAt;
    }
}
