package dev.eventbackbone.ingest;

import com.codahale.metrics.health.HealthCheck;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** Healthy when the Kafka cluster answers; says whether the spool is taking events meanwhile. */
final class KafkaHealthCheck extends HealthCheck {

    private final Admin admin;
    private final Duration timeout;
    private final EventPublisher publisher;

    KafkaHealthCheck(Admin admin, Duration timeout, EventPublisher publisher) {
        this.admin = admin;
        this.timeout = timeout;
        this.publisher = publisher;
    }

    @Override
    protected Result check() throws Exception {
        try {
            int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            return publisher.isSpooling()
                    ? Result.healthy("%d broker(s) reachable; draining the spool", brokers)
                    : Result.healthy("%d broker(s) reachable", brokers);
        } catch (Exception e) {
            return Result.unhealthy("Kafka is unreachable (%s)%s", e.toString(),
                    publisher.spoolEnabled() ? "; accepted events go to the local spool" : "; events are answered 503");
        }
    }
}
