package dev.eventbackbone.processors.notifications;

import dev.eventbackbone.contracts.events.NotificationMessage;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Email over SMTP with Jakarta Mail (Angus). The connection is kept between messages. The
 * {@code Message-ID} is the message's idempotency key, so a receiver sees a resent mail as the same mail.
 */
final class SmtpProvider implements ChannelProvider {

    private static final String TIMEOUT_MILLIS = "15000";
    private static final int MAILBOX_FULL = 552;

    private final NotificationSettings.SmtpServer server;
    private final InternetAddress from;
    private final Session session;
    private Transport transport;

    SmtpProvider(NotificationSettings.SmtpServer server, String from) {
        this.server = server;
        try {
            this.from = new InternetAddress(from, true);
        } catch (AddressException e) {
            throw new IllegalArgumentException("notifications.email.from '" + from + "' is not an address", e);
        }
        Properties properties = new Properties();
        properties.put("mail.smtp.host", server.getHost());
        properties.put("mail.smtp.port", String.valueOf(server.getPort()));
        properties.put("mail.smtp.connectiontimeout", TIMEOUT_MILLIS);
        properties.put("mail.smtp.timeout", TIMEOUT_MILLIS);
        properties.put("mail.smtp.writetimeout", TIMEOUT_MILLIS);
        properties.put("mail.smtp.auth", String.valueOf(server.getUsername() != null));
        properties.put("mail.smtp.starttls.enable", String.valueOf(server.isStartTls()));
        properties.put("mail.smtp.starttls.required", String.valueOf(server.isStartTls()));
        this.session = Session.getInstance(properties);
    }

    @Override
    public String name() {
        return "smtp:" + server.getHost() + ":" + server.getPort();
    }

    @Override
    public Outcome send(NotificationMessage message, String idempotencyKey) {
        MimeMessage mail;
        try {
            mail = new MimeMessage(session) {
                @Override
                protected void updateMessageID() throws MessagingException {
                    setHeader("Message-ID", messageIdOf(idempotencyKey));
                }
            };
            mail.setFrom(from);
            mail.setRecipients(Message.RecipientType.TO, InternetAddress.parse(message.getDestination(), true));
            mail.setSubject(message.getSubject() == null ? "" : message.getSubject(), StandardCharsets.UTF_8.name());
            mail.setText(message.getBody(), StandardCharsets.UTF_8.name());
            mail.saveChanges();
        } catch (AddressException e) {
            return Outcome.permanentFailure("invalid_address", "'" + message.getDestination()
                    + "' is not an email address: " + e.getMessage());
        } catch (MessagingException e) {
            return Outcome.permanentFailure("unbuildable", "The mail could not be built: " + e.getMessage());
        }
        try {
            if (transport == null || !transport.isConnected()) {
                transport = session.getTransport("smtp");
                transport.connect(server.getHost(), server.getPort(), server.getUsername(), server.getPassword());
            }
            transport.sendMessage(mail, mail.getAllRecipients());
            return Outcome.delivered(messageIdOf(idempotencyKey));
        } catch (MessagingException e) {
            closeTransport();
            return outcomeOf(e);
        }
    }

    /**
     * An SMTP reply 5xx is permanent (no such mailbox, refused), except 552 (mailbox full), which
     * RFC 5321 says to treat as 452; 4xx and broken connections are transient. A refused login is
     * this server's fault, not the message's: transient, so the next server takes over.
     */
    private static Outcome outcomeOf(MessagingException failure) {
        if (failure instanceof AuthenticationFailedException) {
            return Outcome.transientFailure("smtp_auth_failed", "The SMTP server refused the login: "
                    + String.valueOf(failure.getMessage()).strip(), null);
        }
        for (Exception e = failure; e != null; e = e instanceof MessagingException m ? m.getNextException() : null) {
            int code = e instanceof SMTPAddressFailedException address ? address.getReturnCode()
                    : e instanceof SMTPSendFailedException send ? send.getReturnCode() : -1;
            if (code >= 500 && code != MAILBOX_FULL) {
                return Outcome.permanentFailure(String.valueOf(code), e.getMessage().strip());
            }
            if (code >= 400) {
                return Outcome.transientFailure(String.valueOf(code), e.getMessage().strip(), null);
            }
        }
        return Outcome.transientFailure("smtp_unavailable", String.valueOf(failure.getMessage()).strip(), null);
    }

    static String messageIdOf(String idempotencyKey) {
        return "<" + idempotencyKey + "@event-backbone>";
    }

    private void closeTransport() {
        if (transport != null) {
            try {
                transport.close();
            } catch (MessagingException ignored) {
                // Already broken: the next message opens a new connection.
            }
            transport = null;
        }
    }

    @Override
    public void close() {
        closeTransport();
    }
}
