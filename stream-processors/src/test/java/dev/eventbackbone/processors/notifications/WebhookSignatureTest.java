package dev.eventbackbone.processors.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    @Test
    void signsTheStandardWebhooksTestVector() throws Exception {
        assertThat(WebhookProvider.signatures(List.of(SPEC_SECRET), "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                "{\"test\": 2432232314}")).isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void everySecretOfARotationSignsSoReceiversWithEitherVerify() throws Exception {
        String newSecret = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]);
        String header = WebhookProvider.signatures(List.of(newSecret, SPEC_SECRET), "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330, "{\"test\": 2432232314}");
        assertThat(header.split(" ")).hasSize(2).contains(SPEC_SIGNATURE);
    }
}
