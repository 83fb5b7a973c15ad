package dev.eventbackbone.ingest;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.NameBasedGenerator;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.util.UUID;

/**
 * Event ids the gateway assigns: time-ordered UUIDv7 for a new event; for an event sent with an
 * Idempotency-Key, a name-based UUIDv5 of tenant and key, so a retry reaching any gateway instance
 * carries the same id and consumers can deduplicate it.
 */
final class EventIds {

    /** The namespace of derived ids; fixed forever, or retries across versions would get new ids. */
    private static final UUID IDEMPOTENCY_NAMESPACE = UUID.fromString("3b0f8a4e-6d5c-4f43-9a8e-2c1d7b5e9f60");
    private static final TimeBasedEpochGenerator TIME_ORDERED = Generators.timeBasedEpochGenerator();
    private static final NameBasedGenerator NAME_BASED = Generators.nameBasedGenerator(IDEMPOTENCY_NAMESPACE);

    private EventIds() {
    }

    static String newId() {
        return TIME_ORDERED.generate().toString();
    }

    static String fromIdempotencyKey(String tenant, String idempotencyKey) {
        return NAME_BASED.generate(tenant + "\n" + idempotencyKey).toString();
    }

    /** The id of the event at {@code index} of a batch sent with an Idempotency-Key. */
    static String fromIdempotencyKey(String tenant, String idempotencyKey, int index) {
        return NAME_BASED.generate(tenant + "\n" + idempotencyKey + "\n" + index).toString();
    }
}
