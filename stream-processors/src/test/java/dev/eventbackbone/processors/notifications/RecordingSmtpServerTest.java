package dev.eventbackbone.processors.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class RecordingSmtpServerTest {

    @Test
    void aClientThatBreaksOffItsConnectionDuringAnAwaitDoesNotFailTheAwait() throws Exception {
        try (RecordingSmtpServer smtp = new RecordingSmtpServer();
                Socket client = new Socket("127.0.0.1", smtp.port())) {
            BufferedReader greeting = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.US_ASCII));
            assertThat(greeting.readLine()).startsWith("220 ");
            String handlerThread = "<-/127.0.0.1:" + client.getLocalPort();
            client.setSoLinger(true, 0);

            Awaitility.await("the server's handler of a connection reset during this await ended")
                    .atMost(Duration.ofSeconds(30)).until(() -> {
                        client.close();
                        return Thread.getAllStackTraces().keySet().stream()
                                .noneMatch(thread -> thread.getName().endsWith(handlerThread));
                    });
        }
    }
}
