package dev.eventbackbone.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.eventbackbone.service.ApiError;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class EventsResourceFailureTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(EventsResource.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void listen() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(logged);
    }

    @Test
    void anUnexpectedFailureIsAJson500AndIsLoggedWithItsCause() {
        IngestAnswer answer = EventsResource.answerFor(new CompletionException(new IllegalStateException("boom")));

        assertThat(answer.status()).isEqualTo(500);
        assertThat(((ApiError) answer.body()).error()).isEqualTo("internal_error");
        assertThat(logged.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.ERROR);
            assertThat(event.getThrowableProxy().getClassName()).isEqualTo(IllegalStateException.class.getName());
            assertThat(event.getThrowableProxy().getMessage()).isEqualTo("boom");
        });
    }

    @Test
    void anAnswerTheGatewayChoseIsNeitherA500NorLogged() {
        IngestAnswer answer = EventsResource.answerFor(new CompletionException(
                ApiError.of(409, "idempotency_conflict", "in use").asException()));

        assertThat(answer.status()).isEqualTo(409);
        assertThat(logged.list).isEmpty();
    }
}
