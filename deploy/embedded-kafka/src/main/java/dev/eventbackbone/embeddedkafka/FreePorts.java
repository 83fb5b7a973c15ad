package dev.eventbackbone.embeddedkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;

/**
 * Loopback ports that nobody listens on at the moment of asking: for a server a test (or the
 * embedded cluster) is about to start, or for an address that must refuse connections.
 */
public final class FreePorts {

    private FreePorts() {
    }

    /** A port on 127.0.0.1 that is free now. */
    public static int next() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + InetAddress.getLoopbackAddress(), e);
        }
    }

    /** A free port that is not one of {@code taken}, for several servers that must not collide. */
    public static int nextExcept(Set<Integer> taken) {
        while (true) {
            int port = next();
            if (!taken.contains(port)) {
                return port;
            }
        }
    }
}
