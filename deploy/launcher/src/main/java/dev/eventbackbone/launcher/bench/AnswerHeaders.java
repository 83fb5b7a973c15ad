package dev.eventbackbone.launcher.bench;

import java.util.List;

/** What the load tools need from an HTTP/1.1 answer's header lines: how its body ends, and whether it closes. */
record AnswerHeaders(long contentLength, boolean chunked, boolean close) {

    /** From the header lines after the status line; a line without a colon is ignored. */
    static AnswerHeaders of(List<String> lines) {
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                close = true;
            }
        }
        return new AnswerHeaders(contentLength, chunked, close);
    }
}
