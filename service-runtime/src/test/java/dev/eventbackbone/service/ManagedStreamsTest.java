package dev.eventbackbone.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class ManagedStreamsTest {

    @Test
    void servesWhileRunningAndWhileRebalancingWithTasksToAnswerFrom() {
        assertThat(ManagedStreams.canServe(State.RUNNING, 0)).isTrue();
        assertThat(ManagedStreams.canServe(State.REBALANCING, 2)).isTrue();
    }

    @Test
    void doesNotServeBeforeItHoldsATaskNorWhenStartingFailedOrClosing() {
        assertThat(ManagedStreams.canServe(State.REBALANCING, 0)).isFalse();
        for (State state : new State[] {State.CREATED, State.PENDING_ERROR, State.ERROR, State.PENDING_SHUTDOWN,
                State.NOT_RUNNING}) {
            assertThat(ManagedStreams.canServe(state, 3)).as(state.name()).isFalse();
        }
    }
}
