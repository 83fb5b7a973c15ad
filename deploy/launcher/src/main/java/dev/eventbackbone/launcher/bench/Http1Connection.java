package dev.eventbackbone.launcher.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One keep-alive HTTP/1.1 connection that posts JSON and reads the whole answer. A load tool on
 * two cores shared with the gateway and the broker must spend as little CPU per request as it can;
 * the JDK's HttpClient spent several times more than this blocking socket per request.
 */
final class Http1Connection implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI target;
    private final byte[] head;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    Http1Connection(URI target, String apiKey) {
        this.target = target;
        this.head = ("POST " + target.getRawPath() + " HTTP/1.1\r\nHost: " + target.getHost() + ":" + target.getPort()
                + "\r\nAuthorization: Bearer " + apiKey + "\r\nContent-Type: application/json\r\nContent-Length: ")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** What one answer said: its status, and how many of the request's events it accepted. */
    record Answer(int status, int acceptedEvents) {
    }

    /**
     * Posts the body, which carries {@code events} events, and reads the answer to its end. A 202
     * accepted them all; a 207 (a batch accepted in part) says how many in its body.
     */
    Answer post(byte[] body, int events) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5_000);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        }
        try {
            ByteArrayOutputStream request = new ByteArrayOutputStream(head.length + body.length + 16);
            request.write(head);
            request.write((body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            request.write(body);
            request.writeTo(out);
            out.flush();
            return readResponse(events);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private Answer readResponse(int events) throws IOException {
        String statusLine = readLine();
        if (statusLine == null || statusLine.length() < 12) {
            throw new IOException("connection closed before an answer");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        List<String> lines = new ArrayList<>();
        for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
            lines.add(line);
        }
        AnswerHeaders headers = AnswerHeaders.of(lines);
        // Only a partial acceptance needs its body read; any other is skipped unread.
        ByteArrayOutputStream partial = status == 207 ? new ByteArrayOutputStream() : null;
        if (headers.chunked()) {
            for (long size = Long.parseLong(readLine().trim(), 16); size > 0; size = Long.parseLong(readLine().trim(), 16)) {
                consume(size, partial);
                readLine();
            }
            readLine();
        } else if (headers.contentLength() > 0) {
            consume(headers.contentLength(), partial);
        }
        if (headers.close()) {
            close();
        }
        int accepted = switch (status) {
            case 202 -> events;
            case 207 -> JSON.readTree(partial.toByteArray()).path("accepted").asInt();
            default -> 0;
        };
        return new Answer(status, accepted);
    }

    private void consume(long bytes, ByteArrayOutputStream into) throws IOException {
        if (into == null) {
            skip(bytes);
            return;
        }
        for (long i = 0; i < bytes; i++) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the middle of an answer");
            }
            into.write(b);
        }
    }

    private void skip(long bytes) throws IOException {
        long remaining = bytes;
        while (remaining > 0) {
            long skipped = in.skip(remaining);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed in the middle of an answer");
                }
                skipped = 1;
            }
            remaining -= skipped;
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing a connection we are abandoning anyway.
            }
            socket = null;
        }
    }
}
