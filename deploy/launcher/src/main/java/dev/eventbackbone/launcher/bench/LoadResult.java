package dev.eventbackbone.launcher.bench;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** What a load run measured: accepted events, latencies of accepted requests, every other status by count. */
final class LoadResult {

    private final Recorder latencies = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private final LongAdder events = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();

    void accepted(int status, long latencyMicros, int eventCount, int requestBytes) {
        latencies.recordValue(Math.max(1, latencyMicros));
        events.add(eventCount);
        requests.increment();
        bytes.add(requestBytes);
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    void refused(int status) {
        requests.increment();
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    void failed() {
        failures.incrementAndGet();
    }

    long events() {
        return events.sum();
    }

    long errors() {
        long errors = failures.get();
        for (Map.Entry<Integer, LongAdder> status : statuses.entrySet()) {
            if (status.getKey() != 202 && status.getKey() != 207) {
                errors += status.getValue().sum();
            }
        }
        return errors;
    }

    /** Moves what was recorded since the last call into the run's histogram. */
    synchronized Histogram drainInterval() {
        Histogram interval = latencies.getIntervalHistogram();
        total.add(interval);
        return interval;
    }

    void reset() {
        drainInterval();
        synchronized (this) {
            total.reset();
        }
        events.reset();
        requests.reset();
        bytes.reset();
        statuses.clear();
        failures.set(0);
    }

    void print(PrintStream out, double seconds) {
        drainInterval();
        out.printf("  requests        %,d%n", requests.sum());
        out.printf("  events          %,d accepted%n", events.sum());
        out.printf("  throughput      %,.0f events/s, %,.1f MB/s of JSON%n", events.sum() / seconds,
                bytes.sum() / seconds / 1e6);
        out.printf("  latency (ms)    p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                percentile(50), percentile(90), percentile(99), percentile(99.9), total.getMaxValue() / 1000.0);
        Map<Integer, Long> byStatus = new TreeMap<>();
        statuses.forEach((status, count) -> byStatus.put(status, count.sum()));
        out.printf("  statuses        %s%s%n", byStatus, failures.get() == 0 ? "" : ", " + failures.get()
                + " requests failed without an answer");
    }

    double percentile(double percentile) {
        return total.getValueAtPercentile(percentile) / 1000.0;
    }
}
