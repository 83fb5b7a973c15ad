package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import dev.eventbackbone.testing.WebhookReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * "A notification in one minute" as README walks it after {@code backbone up}: preferences and a
 * templated notification posted to the gateway; the mail lands in the development mail folder, the
 * signed webhook reaches a real receiver, and the ledger shows both delivered.
 */
class NotificationsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    private LauncherProcess.Ports ports;
    private ServiceProcess up;
    private Path dataDir;
    private String key;

    @BeforeEach
    void upWithEveryService() throws Exception {
        dataDir = dir.resolve("data");
        ports = LauncherProcess.Ports.free();
        up = processes.start(LauncherProcess.up(dir.resolve("up.log"), ports.upArgs(dataDir)));
        key = Files.readString(dataDir.resolve("gateway/dev-api-key")).trim();
    }

    @AfterEach
    void stop() {
        LauncherProcess.stopCleanly(up);
    }

    @Test
    void preferencesThenATemplatedNotificationArriveAsMailAndSignedWebhook() throws Exception {
        WebhookReceiver receiver = new WebhookReceiver();
        try {
            String hook = receiver.url("/hook");
            assertThat(post("preferences", """
                    {"recipientId":"ann","email":"ann@example.com","webhookUrl":"%s","locale":"de-CH",
                     "optedOutChannels":["SMS"]}""".formatted(hook)).statusCode()).isEqualTo(202);
            HttpResponse<String> accepted = post("notifications", """
                    {"recipientId":"ann","templateId":"welcome","data":{"name":"Ann"},
                     "channels":["EMAIL","WEBHOOK","SMS"],"priority":"HIGH"}""");
            assertThat(accepted.statusCode()).isEqualTo(202);
            String eventId = Http.json(accepted).path("eventId").asText();

            Path mailDir = dataDir.resolve("mail");
            String mail = Awaitility.await("the mail").atMost(TIMEOUT).ignoreExceptions().until(() -> {
                try (Stream<Path> files = Files.list(mailDir)) {
                    return files.filter(file -> file.getFileName().toString().endsWith("ann@example.com.eml"))
                            .findFirst().map(file -> read(file)).orElse("");
                }
            }, text -> !text.isEmpty());
            assertThat(mail).contains("Subject: Willkommen, Ann!", "Hallo Ann,", "Message-ID: <msg_");

            Awaitility.await("the webhook").atMost(TIMEOUT).until(() -> !receiver.deliveries().isEmpty());
            WebhookReceiver.Delivery webhook = receiver.deliveries().get(0);
            String secret = Files.readString(dataDir.resolve("stream-processors/webhook-secret")).trim();
            new Webhook(secret).verify(webhook.body(), webhook.headers());
            assertThat(webhook.body()).contains("\"subject\":\"Willkommen, Ann!\"", "\"name\":\"Ann\"");

            Awaitility.await("the ledger").atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
                JsonNode ledger = Http.getJson("http://127.0.0.1:" + ports.processors() + "/v1/notifications/"
                        + eventId, key);
                assertThat(ledger.path("channels").path("email").path("status").asText()).isEqualTo("DELIVERED");
                assertThat(ledger.path("channels").path("webhook").path("status").asText()).isEqualTo("DELIVERED");
                assertThat(ledger.path("channels").path("sms").path("status").asText()).isEqualTo("SUPPRESSED");
            });
        } finally {
            receiver.close();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> post(String stream, String body) {
        return Http.post("http://127.0.0.1:" + ports.gateway() + "/v1/events/" + stream, key, body);
    }
}
