package dev.eventbackbone.launcher.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps many keep-alive HTTP/1.1 connections posting JSON from a few threads, each a selector loop, as
 * {@code wrk} does. On two cores shared with the gateway and the broker the load tool must spend as little
 * CPU per request as it can: a blocking thread per connection, woken once per answer, took 0.6 cores at
 * 20,000 requests/s, CPU the gateway then lacked. Each connection sends its next request only once the
 * answer to the last one has been read, so {@code connections} is the number of requests in flight.
 */
final class NioHttpLoad {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};

    /** When each request is due. */
    interface Schedule {
        /** What {@link #claim} answers once the run is over. */
        long OVER = Long.MIN_VALUE;

        /** The due time ({@link System#nanoTime}) of the next request, or {@link #OVER}. */
        long claim();
    }

    /** The body of each request and how many events it carries. */
    interface Bodies {
        byte[] next();

        int eventsPerRequest();
    }

    /** What became of each request. */
    interface Outcomes {
        /** An answer: its status, the events it accepted, and when its request was due. */
        void answered(int status, int acceptedEvents, long dueNanos, int requestBytes);

        /** No answer: the connection failed. */
        void failed();
    }

    private NioHttpLoad() {
    }

    /** Runs {@code connections} connections on {@code threads} selector threads until the schedule is over. */
    static void run(URI target, String apiKey, int connections, int threads, Schedule schedule, Bodies bodies,
                    Outcomes outcomes) throws InterruptedException {
        byte[] head = ("POST " + target.getRawPath() + " HTTP/1.1\r\nHost: " + target.getHost() + ":"
                + target.getPort() + "\r\nAuthorization: Bearer " + apiKey
                + "\r\nContent-Type: application/json\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
        InetSocketAddress address = new InetSocketAddress(target.getHost(), target.getPort());
        List<Thread> loops = new ArrayList<>();
        int loopCount = Math.max(1, Math.min(threads, connections));
        for (int t = 0; t < loopCount; t++) {
            int share = connections / loopCount + (t < connections % loopCount ? 1 : 0);
            Thread loop = new Thread(() -> new Loop(address, head, share, schedule, bodies, outcomes).run(),
                    "bench-http-" + t);
            loop.setDaemon(true);
            loop.start();
            loops.add(loop);
        }
        for (Thread loop : loops) {
            loop.join();
        }
    }

    /** One selector thread and its connections. */
    private static final class Loop {
        private final InetSocketAddress address;
        private final byte[] head;
        private final Schedule schedule;
        private final Bodies bodies;
        private final Outcomes outcomes;
        private final List<Connection> connections = new ArrayList<>();
        private final Selector selector;

        Loop(InetSocketAddress address, byte[] head, int count, Schedule schedule, Bodies bodies, Outcomes outcomes) {
            this.address = address;
            this.head = head;
            this.schedule = schedule;
            this.bodies = bodies;
            this.outcomes = outcomes;
            try {
                this.selector = Selector.open();
            } catch (IOException e) {
                throw new IllegalStateException("The load tool cannot open a selector", e);
            }
            for (int i = 0; i < count; i++) {
                connections.add(new Connection());
            }
        }

        void run() {
            try (selector) {
                int running = connections.size();
                while (running > 0) {
                    long now = System.nanoTime();
                    long nextDue = Long.MAX_VALUE;
                    running = 0;
                    for (Connection connection : connections) {
                        if (connection.finished) {
                            continue;
                        }
                        running++;
                        if (!connection.idle) {
                            continue;
                        }
                        if (!connection.claimed) {
                            long due = schedule.claim();
                            if (due == Schedule.OVER) {
                                connection.finish();
                                running--;
                                continue;
                            }
                            connection.due = due;
                            connection.claimed = true;
                        }
                        if (connection.due <= now) {
                            connection.send();
                        } else {
                            nextDue = Math.min(nextDue, connection.due);
                        }
                    }
                    if (running == 0) {
                        return;
                    }
                    waitForIo(nextDue);
                }
            } catch (IOException e) {
                throw new IllegalStateException("The load tool's selector failed", e);
            }
        }

        /** Waits for I/O, or until the next request is due; a wait under a millisecond is a park, not a select. */
        private void waitForIo(long nextDue) throws IOException {
            long wait = nextDue == Long.MAX_VALUE ? -1 : nextDue - System.nanoTime();
            if (wait < 0 && nextDue != Long.MAX_VALUE) {
                selector.selectNow();
            } else if (wait >= 0 && wait < 1_000_000) {
                LockSupport.parkNanos(wait);
                selector.selectNow();
            } else {
                selector.select(wait < 0 ? 0 : wait / 1_000_000);
            }
            for (SelectionKey key : selector.selectedKeys()) {
                Connection connection = (Connection) key.attachment();
                try {
                    if (key.isConnectable()) {
                        connection.connected();
                    } else if (key.isWritable()) {
                        connection.write();
                    } else if (key.isReadable()) {
                        connection.read();
                    }
                } catch (IOException | RuntimeException e) {
                    connection.broken();
                }
            }
            selector.selectedKeys().clear();
        }

        /** One keep-alive connection: idle, sending, or reading its answer. */
        private final class Connection {
            private SocketChannel channel;
            private SelectionKey key;
            private ByteBuffer request;
            private ByteBuffer answer = ByteBuffer.allocate(16 * 1024);
            private int requestBytes;
            private long due;
            private boolean claimed;
            private boolean idle;
            private boolean finished;

            Connection() {
                open();
            }

            private void open() {
                try {
                    channel = SocketChannel.open();
                    channel.configureBlocking(false);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    idle = false;
                    if (channel.connect(address)) {
                        key = channel.register(selector, 0, this);
                        idle = true;
                    } else {
                        key = channel.register(selector, SelectionKey.OP_CONNECT, this);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("Cannot connect to " + address + ": " + e.getMessage(), e);
                }
            }

            void connected() throws IOException {
                channel.finishConnect();
                key.interestOps(0);
                idle = true;
            }

            void send() {
                byte[] body = bodies.next();
                byte[] length = (body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                request = ByteBuffer.allocate(head.length + length.length + body.length);
                request.put(head).put(length).put(body).flip();
                requestBytes = body.length;
                idle = false;
                answer.clear();
                try {
                    write();
                } catch (IOException e) {
                    broken();
                }
            }

            void write() throws IOException {
                channel.write(request);
                key.interestOps(request.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            }

            void read() throws IOException {
                if (!answer.hasRemaining()) {
                    answer = ByteBuffer.allocate(answer.capacity() * 2).put(answer.flip());
                }
                if (channel.read(answer) < 0) {
                    throw new IOException("connection closed before the answer ended");
                }
                Parsed parsed = Parsed.of(answer.array(), answer.position(), bodies.eventsPerRequest());
                if (parsed == null) {
                    return;
                }
                outcomes.answered(parsed.status(), parsed.acceptedEvents(), due, requestBytes);
                claimed = false;
                if (parsed.close()) {
                    reopen();
                } else {
                    key.interestOps(0);
                    idle = true;
                }
            }

            void broken() {
                outcomes.failed();
                claimed = false;
                reopen();
            }

            private void reopen() {
                close();
                open();
            }

            void finish() {
                finished = true;
                close();
            }

            private void close() {
                try {
                    channel.close();
                } catch (IOException e) {
                    // A connection being given up; nothing to keep from it.
                }
            }
        }
    }

    /** A complete answer read from the start of a buffer: its status, accepted events, and whether it closes. */
    record Parsed(int status, int acceptedEvents, boolean close) {

        /** The answer in {@code bytes[0, length)}, or {@code null} while it is not complete yet. */
        static Parsed of(byte[] bytes, int length, int eventsPerRequest) throws IOException {
            int headersEnd = indexOf(bytes, 0, length, HEADERS_END);
            if (headersEnd < 0) {
                return null;
            }
            String headers = new String(bytes, 0, headersEnd, StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(headers.substring(9, 12));
            List<String> lines = List.of(headers.split("\r\n"));
            AnswerHeaders answer = AnswerHeaders.of(lines.subList(1, lines.size()));
            int bodyStart = headersEnd + HEADERS_END.length;
            byte[] body;
            if (answer.chunked()) {
                body = dechunked(bytes, bodyStart, length);
                if (body == null) {
                    return null;
                }
            } else {
                long bodyLength = Math.max(0, answer.contentLength());
                if (length - bodyStart < bodyLength) {
                    return null;
                }
                body = status == 207 ? Arrays.copyOfRange(bytes, bodyStart, (int) (bodyStart + bodyLength))
                        : null;
            }
            int accepted = switch (status) {
                case 202 -> eventsPerRequest;
                case 207 -> JSON.readTree(body).path("accepted").asInt();
                default -> 0;
            };
            return new Parsed(status, accepted, answer.close());
        }

        /** The body of a complete chunked answer, or {@code null} while its last chunk has not arrived. */
        private static byte[] dechunked(byte[] bytes, int from, int length) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int position = from;
            while (true) {
                int lineEnd = indexOf(bytes, position, length, new byte[] {'\r', '\n'});
                if (lineEnd < 0) {
                    return null;
                }
                String sizeLine = new String(bytes, position, lineEnd - position, StandardCharsets.ISO_8859_1);
                int extension = sizeLine.indexOf(';');
                int size = Integer.parseInt((extension < 0 ? sizeLine : sizeLine.substring(0, extension)).trim(), 16);
                int dataStart = lineEnd + 2;
                if (length < dataStart + size + 2) {
                    return null;
                }
                if (size == 0) {
                    return body.toByteArray();
                }
                body.write(bytes, dataStart, size);
                position = dataStart + size + 2;
            }
        }

        private static int indexOf(byte[] bytes, int from, int length, byte[] needle) {
            outer:
            for (int i = from; i <= length - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (bytes[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
