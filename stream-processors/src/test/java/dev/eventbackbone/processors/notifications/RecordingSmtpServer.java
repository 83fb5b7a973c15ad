package dev.eventbackbone.processors.notifications;

import com.icegreen.greenmail.user.MessageDeliveryHandler;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.eventbackbone.embeddedkafka.FreePorts;
import jakarta.mail.MessagingException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** A real SMTP server (GreenMail) that notes when each mail arrived and its Message-ID, to the millisecond. */
final class RecordingSmtpServer implements AutoCloseable {

    /** One mail as the server took it. */
    record Arrival(long atMillis, String messageId, String recipient, String subject) {
    }

    private final GreenMail server;
    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();

    RecordingSmtpServer() {
        server = startedInQuietThreadGroup();
        MessageDeliveryHandler store = server.getUserManager().getMessageDeliveryHandler();
        server.getUserManager().setMessageDeliveryHandler((message, recipient) -> {
            arrivals.add(new Arrival(System.currentTimeMillis(), header(message.getMessage(), "Message-ID"),
                    recipient.getEmail(), header(message.getMessage(), "Subject")));
            return store.handle(message, recipient);
        });
    }

    /**
     * GreenMail rethrows a connection its client broke off (as {@code kill -9} of a sending service does) out of the
     * handler thread, after logging it. Awaitility reports any uncaught exception as the failure of whichever await
     * runs at that moment, so the crash tests would fail on the very event they cause. GreenMail's threads are made in
     * a thread group that leaves such exceptions to GreenMail's own log.
     */
    private static GreenMail startedInQuietThreadGroup() {
        ThreadGroup quiet = new ThreadGroup("smtp-server") {
            @Override
            public void uncaughtException(Thread thread, Throwable failure) {
            }
        };
        AtomicReference<GreenMail> started = new AtomicReference<>();
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        Thread starter = new Thread(quiet, () -> {
            try {
                GreenMail greenMail = new GreenMail(new ServerSetup(FreePorts.next(), "127.0.0.1",
                        ServerSetup.PROTOCOL_SMTP));
                greenMail.start();
                started.set(greenMail);
            } catch (RuntimeException e) {
                failed.set(e);
            }
        }, "smtp-server-start");
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the SMTP server started", e);
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        return started.get();
    }

    private static String header(jakarta.mail.internet.MimeMessage message, String name) {
        try {
            return message.getHeader(name, null);
        } catch (MessagingException e) {
            throw new IllegalStateException("A received mail has unreadable headers", e);
        }
    }

    int port() {
        return server.getSmtp().getPort();
    }

    List<Arrival> arrivals() {
        return List.copyOf(arrivals);
    }

    /** The most mails that arrived within any one second. */
    int busiestSecond() {
        List<Long> times = arrivals().stream().map(Arrival::atMillis).sorted().toList();
        int most = 0;
        int first = 0;
        for (int last = 0; last < times.size(); last++) {
            while (times.get(last) - times.get(first) >= 1_000) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }

    @Override
    public void close() {
        server.stop();
    }
}
