package dev.eventbackbone.processors.notifications;

import dev.eventbackbone.contracts.events.NotificationMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The idempotency key of a message: the same for every attempt and every instance, derived from
 * the tenant, the request, the recipient and the channel. It is the {@code webhook-id}, the
 * email's {@code Message-ID} and the {@code Idempotency-Key} sent to HTTP providers, so a
 * receiver that deduplicates by it sees each message once, even when a crash makes it go twice.
 */
public final class IdempotencyKeys {

    /** One digest per thread: looking SHA-256 up among the security providers per message cost more than hashing. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    });
    private static final HexFormat HEX = HexFormat.of();

    private IdempotencyKeys() {
    }

    public static String of(NotificationMessage message) {
        return of(message.getTenantId(), message.getRequestEventId(), message.getRecipientId(),
                message.getChannel().name());
    }

    static String of(String tenant, String requestEventId, String recipientId, String channel) {
        MessageDigest sha256 = SHA_256.get();
        for (String part : new String[] {tenant, requestEventId, recipientId, channel}) {
            sha256.update(part.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
        }
        return "msg_" + HEX.formatHex(sha256.digest(), 0, 16);
    }
}
