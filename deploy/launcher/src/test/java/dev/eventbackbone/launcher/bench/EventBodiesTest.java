package dev.eventbackbone.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventBodiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eventHasExactlyTheAskedSizeAndIsAValidAnalyticsEvent() throws Exception {
        String event = EventBodies.event(12_345, 200);
        assertThat(event.getBytes(StandardCharsets.UTF_8)).hasSize(200);
        JsonNode node = JSON.readTree(event);
        assertThat(node.get("name").asText()).isEqualTo("page_view");
        assertThat(node.get("userId").asText()).isEqualTo("u-" + (12_345 % EventBodies.USERS));
    }

    @Test
    void batchHoldsTheAskedNumberOfEvents() throws Exception {
        JsonNode batch = JSON.readTree(EventBodies.batch(0, 100, 300));
        assertThat(batch.get("events")).hasSize(100);
        assertThat(batch.get("events").get(99).get("userId").asText()).isEqualTo("u-99");
    }

    @Test
    void resultCountsAcceptedEventsAndEveryOtherStatusAsErrors() {
        LoadResult result = new LoadResult();
        result.accepted(202, 1_500, 1, 200);
        result.accepted(207, 2_500, 100, 20_000);
        result.refused(429);
        result.refused(503);
        result.failed();
        assertThat(result.events()).isEqualTo(101);
        assertThat(result.errors()).isEqualTo(3);
        result.drainInterval();
        assertThat(result.percentile(50)).isBetween(1.4, 1.6);
    }
}
