package dev.eventbackbone.service;

import com.codahale.metrics.health.HealthCheck;
import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One KafkaStreams instance tied to the Dropwizard lifecycle, with its health check. */
public final class ManagedStreams implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedStreams.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final String component;
    private final KafkaStreams streams;

    public ManagedStreams(String component, Topology topology, Map<String, Object> config) {
        this.component = component;
        Properties properties = new Properties();
        properties.putAll(config);
        this.streams = new KafkaStreams(topology, properties);
        // A thread that threw (registry down, broker trouble) is replaced: with exactly-once its
        // transaction is aborted and the records are processed again, so nothing is lost or doubled.
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("A stream thread of {} failed; replacing it, its records will be processed again", component, e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("Kafka Streams {}: {} -> {}", component, before, now));
    }

    /** The running application, for interactive queries and their routing. */
    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public void start() {
        streams.start();
    }

    /**
     * Leaves the group as it closes: the partitions move to the other instances at once, instead
     * of after the session timeout (Kafka Streams otherwise stays in the group, expecting a restart).
     */
    @Override
    public void stop() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT));
    }

    /**
     * Readiness, "can serve": healthy while running, and while rebalancing as long as this instance
     * holds tasks (active or standby) to answer from, so a rebalance elsewhere in the group never takes
     * it out of service; a first rebalance, before it holds anything, and every other state (starting,
     * erred, closing) are not.
     */
    public HealthCheck healthCheck() {
        return new HealthCheck() {
            @Override
            protected Result check() {
                KafkaStreams.State state = streams.state();
                int tasks = state == KafkaStreams.State.REBALANCING ? heldTasks() : 0;
                return canServe(state, tasks) ? Result.healthy(state == KafkaStreams.State.REBALANCING
                        ? "REBALANCING, answering from " + tasks + " task(s) held" : state.name())
                        : Result.unhealthy("Kafka Streams " + component + " is " + state
                                + (state == KafkaStreams.State.REBALANCING ? " and holds no task yet" : ""));
            }
        };
    }

    static boolean canServe(KafkaStreams.State state, int heldTasks) {
        return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING && heldTasks > 0;
    }

    private int heldTasks() {
        try {
            return streams.metadataForLocalThreads().stream()
                    .mapToInt(thread -> thread.activeTasks().size() + thread.standbyTasks().size()).sum();
        } catch (IllegalStateException notRunning) {
            return 0;
        }
    }

    /** The sum over all tasks of a metric that the topology's processors record, e.g. duplicates-dropped-total. */
    public double total(String metric) {
        return streams.metrics().entrySet().stream()
                .filter(entry -> entry.getKey().name().equals(metric)
                        && entry.getKey().group().contains(component))
                .mapToDouble(entry -> ((Number) entry.getValue().metricValue()).doubleValue())
                .sum();
    }
}
