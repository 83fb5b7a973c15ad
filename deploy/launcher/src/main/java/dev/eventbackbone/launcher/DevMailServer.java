package dev.eventbackbone.launcher;

import com.icegreen.greenmail.user.MessageDeliveryHandler;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The development SMTP server of {@code backbone up} (GreenMail): it accepts every mail on
 * 127.0.0.1 and writes it to {@code <dir>/<n>-<recipient>.eml}, so a developer reads what the
 * notification workers sent with any text viewer or mail client.
 */
public final class DevMailServer implements AutoCloseable {

    private final GreenMail server;
    private final Path dir;
    private final AtomicLong count = new AtomicLong();
    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();

    /** One mail as the server took it: when (epoch milliseconds) and for whom. */
    public record Arrival(long atMillis, String recipient) {
    }

    public DevMailServer(int port, Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (var existing = Files.list(dir)) {
            count.set(existing.count());
        }
        server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        server.start();
        MessageDeliveryHandler store = server.getUserManager().getMessageDeliveryHandler();
        server.getUserManager().setMessageDeliveryHandler((message, recipient) -> {
            arrivals.add(new Arrival(System.currentTimeMillis(), recipient.getEmail()));
            Path file = dir.resolve(String.format("%06d-%s.eml", count.incrementAndGet(),
                    recipient.getEmail().replaceAll("[^A-Za-z0-9@._-]", "_")));
            try (OutputStream out = Files.newOutputStream(file)) {
                message.getMessage().writeTo(out);
            } catch (IOException e) {
                throw new MessagingException("Cannot keep the mail in " + file, e);
            }
            return store.handle(message, recipient);
        });
    }

    public int port() {
        return server.getSmtp().getPort();
    }

    Path dir() {
        return dir;
    }

    /** Every mail so far, in arrival order. */
    public List<Arrival> arrivals() {
        return List.copyOf(arrivals);
    }

    @Override
    public void close() {
        server.stop();
    }
}
