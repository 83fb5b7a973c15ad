package dev.eventbackbone.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NioHttpLoadTest {

    private static NioHttpLoad.Parsed parse(String answer, int length) throws Exception {
        byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
        return NioHttpLoad.Parsed.of(bytes, length, 100);
    }

    private static NioHttpLoad.Parsed parse(String answer) throws Exception {
        return parse(answer, answer.length());
    }

    @Test
    void aComplete202AcceptsEveryEventOfTheRequestAndAnIncompleteOneIsNotAnAnswerYet() throws Exception {
        String answer = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"bcd\"}";

        assertThat(parse(answer)).isEqualTo(new NioHttpLoad.Parsed(202, 100, false));
        assertThat(parse(answer, answer.length() - 1)).isNull();
        assertThat(parse(answer, answer.indexOf("\r\n\r\n") + 2)).isNull();
    }

    @Test
    void aChunked207CountsWhatItsBodySaysWasAcceptedOnceTheLastChunkArrived() throws Exception {
        String body = "{\"accepted\":37,\"rejected\":63,\"results\":[]}";
        String answer = "HTTP/1.1 207 Multi-Status\r\ntransfer-encoding: chunked\r\n\r\n"
                + Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n"
                + Integer.toHexString(body.length() - 10) + ";ext=1\r\n" + body.substring(10) + "\r\n0\r\n\r\n";

        assertThat(parse(answer)).isEqualTo(new NioHttpLoad.Parsed(207, 37, false));
        assertThat(parse(answer, answer.length() - 2)).isNull();
    }

    @Test
    void aRefusalThatClosesTheConnectionSaysSoAndAcceptsNothing() throws Exception {
        String answer = "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}";

        assertThat(parse(answer)).isEqualTo(new NioHttpLoad.Parsed(413, 0, true));
    }
}
