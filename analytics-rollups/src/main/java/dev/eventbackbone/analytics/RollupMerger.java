package dev.eventbackbone.analytics;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Adds the parts that the reading tasks counted ({@link RollupProcessor}) to the key's minute or
 * hour rollup: the one copy of a {@code tenant|name} window that queries read.
 */
final class RollupMerger implements Processor<String, RollupPart, Void, Void> {

    private DecodedRollupStore minutes;
    private DecodedRollupStore hours;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        minutes = DecodedRollupStore.in(context.getStateStore(RollupTopology.MINUTE_STORE));
        hours = DecodedRollupStore.in(context.getStateStore(RollupTopology.HOUR_STORE));
    }

    @Override
    public void process(Record<String, RollupPart> record) {
        RollupPart part = record.value();
        DecodedRollupStore rollups = part.hour() ? hours : minutes;
        Rollup rollup = rollups.fetch(record.key(), part.start());
        rollups.put(record.key(), rollup == null ? part.rollup() : rollup.absorb(part.rollup()), part.start());
    }
}
