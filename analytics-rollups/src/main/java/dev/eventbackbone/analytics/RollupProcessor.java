package dev.eventbackbone.analytics;

import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.service.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Adds each measure to its minute and hour windows. A window takes events until its end plus the
 * grace has passed in stream time (the latest event time this task has seen); an event too late
 * for a window is left out of it, and one too late for both goes to {@code analytics.dlq} with
 * the reason, so no event disappears without a trace.
 */
final class RollupProcessor implements Processor<String, Measure, String, Object> {

    private final long graceMillis;
    private ProcessorContext<String, Object> context;
    private WindowStore<String, Rollup> minutes;
    private WindowStore<String, Rollup> hours;

    RollupProcessor(long graceMillis) {
        this.graceMillis = graceMillis;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        minutes = context.getStateStore(RollupTopology.MINUTE_STORE);
        hours = context.getStateStore(RollupTopology.HOUR_STORE);
    }

    @Override
    public void process(Record<String, Measure> record) {
        Measure measure = record.value();
        long streamTime = Math.max(context.currentStreamTimeMs(), measure.at());
        boolean all = Measure.isAll(record.key());
        boolean inMinute = add(minutes, RollupTopology.MINUTE.toMillis(), record.key(), measure, all, streamTime);
        boolean inHour = add(hours, RollupTopology.HOUR.toMillis(), record.key(), measure, all, streamTime);
        // The tenant's * copy of an event is not dead-lettered again: its own name's copy was.
        if (!inMinute && !inHour && !all) {
            late(record, streamTime);
        }
    }

    private boolean add(WindowStore<String, Rollup> store, long size, String key, Measure measure, boolean all,
                        long streamTime) {
        long start = measure.at() - Math.floorMod(measure.at(), size);
        if (start + size + graceMillis <= streamTime) {
            return false;
        }
        Rollup rollup = store.fetch(key, start);
        store.put(key, (rollup == null ? new Rollup() : rollup).add(measure, all), start);
        return true;
    }

    private void late(Record<String, Measure> record, long streamTime) {
        Measure measure = record.value();
        byte[] key = record.key().getBytes(StandardCharsets.UTF_8);
        Record<byte[], byte[]> original = new Record<>(key, MeasureSerde.bytes(measure), record.timestamp(),
                new RecordHeaders());
        var rejection = DeadLetters.rejection(original, null, null, measure.tenantId(), "analytics",
                RollupTopology.COMPONENT, RejectionReason.EXPIRED, "Event '" + measure.name() + "' at "
                        + Instant.ofEpochMilli(measure.at()) + " came after its hour window closed (stream time "
                        + Instant.ofEpochMilli(streamTime) + ", grace " + graceMillis + " ms); it is counted in no window.",
                "occurredAt", null, context.currentSystemTimeMs());
        rejection.setOriginalContentType("application/x-backbone-measure");
        context.forward(new Record<>(record.key(), rejection, record.timestamp()));
    }
}
