package dev.eventbackbone.processors.notifications;

import com.codahale.metrics.health.HealthCheck;
import dev.eventbackbone.contracts.events.NotificationChannel;
import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The four channels' delivery workers, one thread each, tied to the service's lifecycle. */
public final class DeliveryWorkers implements Managed {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final List<DeliveryWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    public DeliveryWorkers(NotificationSettings settings, NotificationSerdes serdes, Map<String, Object> clientConfig,
                           String instanceId) {
        Clock clock = Clock.systemUTC();
        for (NotificationChannel channel : NotificationTopology.CHANNELS) {
            workers.add(new DeliveryWorker(channel, providers(settings, channel, clock), settings, serdes, clientConfig,
                    instanceId, clock));
        }
    }

    private static List<ChannelProvider> providers(NotificationSettings settings, NotificationChannel channel,
                                                   Clock clock) {
        return switch (channel) {
            case EMAIL -> settings.getEmail().getSmtp().stream()
                    .map(server -> (ChannelProvider) new SmtpProvider(server, settings.getEmail().getFrom())).toList();
            case SMS -> settings.getSms().stream().map(p -> (ChannelProvider) new HttpJsonProvider(p)).toList();
            case PUSH -> settings.getPush().stream().map(p -> (ChannelProvider) new HttpJsonProvider(p)).toList();
            case WEBHOOK -> List.of(new WebhookProvider(settings.getWebhook(), clock));
            case UNKNOWN -> List.of();
        };
    }

    @Override
    public void start() {
        for (DeliveryWorker worker : workers) {
            Thread thread = new Thread(worker, worker.component());
            thread.start();
            threads.add(thread);
        }
    }

    @Override
    public void stop() throws InterruptedException {
        workers.forEach(DeliveryWorker::stop);
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (Thread thread : threads) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (thread.isAlive()) {
                thread.interrupt();
            }
        }
    }

    /** Unhealthy when a worker's thread died: its channel is no longer delivered here. */
    public HealthCheck healthCheck() {
        return new HealthCheck() {
            @Override
            protected Result check() {
                List<String> dead = threads.stream().filter(thread -> !thread.isAlive()).map(Thread::getName).toList();
                return dead.isEmpty() ? Result.healthy(threads.size() + " delivery workers running")
                        : Result.unhealthy("Delivery workers stopped: " + String.join(", ", dead));
            }
        };
    }
}
