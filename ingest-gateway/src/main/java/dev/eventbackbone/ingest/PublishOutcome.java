package dev.eventbackbone.ingest;

import dev.eventbackbone.service.ApiError;

/** What became of one record handed to the {@link EventPublisher}. */
interface PublishOutcome {

    /** Kafka acknowledged the record ({@code acks=all}), or it is synced to the local spool. */
    record Accepted(String topic, int partition, long offset, boolean spooled) implements PublishOutcome {

        static Accepted spooled(String topic) {
            return new Accepted(topic, -1, -1, true);
        }
    }

    /** The record was not taken; nothing of it is on Kafka or in the spool. */
    record Refused(ApiError error) implements PublishOutcome {
    }
}
