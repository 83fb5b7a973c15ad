package dev.eventbackbone.analytics;

import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.service.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Adds each measure to the part of its minute and hour windows that this task has counted since
 * it last passed its parts on, and passes them on every {@link #PASS_ON_EVERY} to the task that
 * holds the key's rollups ({@link RollupMerger}): one record per window touched, instead of one
 * per event. The parts live in stores with changelogs, so a part not yet passed on survives a
 * crash, and passing it on and deleting it are one transaction.
 *
 * <p>A window takes events until its end plus the grace has passed in event time: the latest
 * event time this task has seen, but never later than the clock, kept in a store with a changelog
 * so that a restarted task goes on from it. An event too late for a window is left out of it; one
 * too late for both, or more than {@link #MAX_CLOCK_SKEW} ahead of the clock, goes to
 * {@code analytics.dlq} with the reason, so no event disappears without a trace.
 */
final class RollupProcessor implements Processor<String, Measure, String, Object> {

    /** How often the parts move on: with the merger's commit, what a dashboard waits at most for a count. */
    static final Duration PASS_ON_EVERY = Duration.ofMillis(250);
    /** How far ahead of this machine's clock an event may be: clients' clocks drift; beyond, it is refused. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    private static final String EVENT_TIME = "event-time";

    private final long graceMillis;
    private ProcessorContext<String, Object> context;
    private DecodedRollupStore minutes;
    private DecodedRollupStore hours;
    private KeyValueStore<String, Long> savedEventTime;
    private long eventTime;

    RollupProcessor(long graceMillis) {
        this.graceMillis = graceMillis;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        minutes = DecodedRollupStore.in(context.getStateStore(RollupTopology.MINUTE_PARTS_STORE));
        hours = DecodedRollupStore.in(context.getStateStore(RollupTopology.HOUR_PARTS_STORE));
        savedEventTime = context.getStateStore(RollupTopology.EVENT_TIME_STORE);
        Long saved = savedEventTime.get(EVENT_TIME);
        eventTime = saved == null ? Long.MIN_VALUE : saved;
        context.schedule(PASS_ON_EVERY, PunctuationType.WALL_CLOCK_TIME, now -> passOn());
    }

    @Override
    public void process(Record<String, Measure> record) {
        Measure measure = record.value();
        boolean all = Measure.isAll(record.key());
        long now = context.currentSystemTimeMs();
        if (measure.at() > now + MAX_CLOCK_SKEW.toMillis()) {
            // The tenant's * copy of an event is not dead-lettered again: its own name's copy was.
            if (!all) {
                reject(record, RejectionReason.INVALID_VALUE, "Event '" + measure.name() + "' at "
                        + Instant.ofEpochMilli(measure.at()) + " is more than " + MAX_CLOCK_SKEW.toMinutes()
                        + " minutes ahead of the clock (" + Instant.ofEpochMilli(now) + "); it is counted in no window.");
            }
            return;
        }
        // An event from a client whose clock is ahead counts in its window, but moves no window's end closer.
        long seen = Math.min(measure.at(), now);
        if (seen > eventTime) {
            eventTime = seen;
            savedEventTime.put(EVENT_TIME, eventTime);
        }
        boolean inMinute = add(minutes, RollupTopology.MINUTE.toMillis(), record.key(), measure, all);
        boolean inHour = add(hours, RollupTopology.HOUR.toMillis(), record.key(), measure, all);
        if (!inMinute && !inHour && !all) {
            reject(record, RejectionReason.EXPIRED, "Event '" + measure.name() + "' at "
                    + Instant.ofEpochMilli(measure.at()) + " came after its hour window closed (latest event time "
                    + Instant.ofEpochMilli(eventTime) + ", grace " + graceMillis + " ms); it is counted in no window.");
        }
    }

    private boolean add(DecodedRollupStore parts, long size, String key, Measure measure, boolean all) {
        long start = measure.at() - Math.floorMod(measure.at(), size);
        if (start + size + graceMillis <= eventTime) {
            return false;
        }
        Rollup part = parts.fetch(key, start);
        parts.put(key, (part == null ? new Rollup() : part).add(measure, all), start);
        return true;
    }

    private void passOn() {
        minutes.drain((window, part) -> forward(window, part, false));
        hours.drain((window, part) -> forward(window, part, true));
    }

    private void forward(Windowed<String> window, Rollup part, boolean hour) {
        long start = window.window().start();
        context.forward(new Record<>(window.key(), new RollupPart(hour, start, part), start));
    }

    private void reject(Record<String, Measure> record, RejectionReason reason, String message) {
        Measure measure = record.value();
        byte[] key = record.key().getBytes(StandardCharsets.UTF_8);
        Record<byte[], byte[]> original = new Record<>(key, MeasureSerde.bytes(measure), record.timestamp(),
                new RecordHeaders());
        var rejection = DeadLetters.rejection(original, null, null, measure.tenantId(), "analytics",
                RollupTopology.COMPONENT, reason, message, "occurredAt", null, context.currentSystemTimeMs());
        rejection.setOriginalContentType("application/x-backbone-measure");
        context.forward(new Record<>(record.key(), rejection, record.timestamp()));
    }
}
