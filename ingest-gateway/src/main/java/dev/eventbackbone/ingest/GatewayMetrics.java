package dev.eventbackbone.ingest;

import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;

/**
 * The gateway's own metrics, labelled the Prometheus way (stream, reason), plus Dropwizard's
 * Jetty, Jersey and JVM metrics bridged into the same registry; served in the Prometheus text
 * format on the admin port at {@code /prometheus}. One registry per gateway, so several gateways
 * can share a JVM (the launcher, tests).
 */
final class GatewayMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter accepted;
    private final Counter rejected;
    private final Histogram produceLatency;

    GatewayMetrics(MetricRegistry dropwizard) {
        accepted = Counter.builder()
                .name("ingest_events_accepted_total")
                .help("Events answered 202, per stream and whether they went to the spool")
                .labelNames("stream", "spooled")
                .register(registry);
        rejected = Counter.builder()
                .name("ingest_events_rejected_total")
                .help("Events not accepted, per stream and reason (the error code of the answer)")
                .labelNames("stream", "reason")
                .register(registry);
        produceLatency = Histogram.builder()
                .name("ingest_produce_latency_seconds")
                .help("Time from handing a record to the Kafka producer to its acks=all acknowledgement")
                .classicUpperBounds(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        DropwizardExports.builder().dropwizardRegistry(dropwizard).register(registry);
    }

    PrometheusRegistry registry() {
        return registry;
    }

    void accepted(String stream, boolean spooled, int events) {
        accepted.labelValues(stream, Boolean.toString(spooled)).inc(events);
    }

    void rejected(String stream, String reason) {
        rejected.labelValues(stream, reason).inc();
    }

    void produceLatencyNanos(long nanos) {
        produceLatency.observe(nanos / 1e9);
    }

    void gauge(String name, String help, LongSupplier value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsLong()))
                .register(registry);
    }
}
