package dev.eventbackbone.launcher.bench;

import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationPriority;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.RecipientPreferences;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.embeddedkafka.FreePorts;
import dev.eventbackbone.launcher.DevMailServer;
import dev.eventbackbone.launcher.LocalPlatform;
import dev.eventbackbone.processors.notifications.DeliveryWorkers;
import dev.eventbackbone.processors.notifications.NotificationSerdes;
import dev.eventbackbone.processors.notifications.NotificationSettings;
import dev.eventbackbone.processors.notifications.NotificationTopology;
import dev.eventbackbone.processors.notifications.Templates;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backbone bench notifications}: first the fan-out's throughput, exactly once, from
 * requests already on {@code notifications.requests} to messages committed on
 * {@code notifications.email}, with no rate limit in the way and no delivery (providers set that
 * pace), beside a plain exactly-once Streams copy of the same records on the same broker; then
 * the limiter's accuracy: mails at a set rate through the real delivery workers to a real SMTP
 * server, with the rate and the busiest second the server saw.
 */
@Command(name = "notifications",
        mixinStandardHelpOptions = true,
        description = "Measures the notification fan-out (requests to committed email messages, exactly once, no"
                + " delivery) beside a plain exactly-once Streams copy, then the email rate limit as an SMTP server"
                + " sees it, on a local broker and registry started on free ports.")
public final class NotificationsBenchCommand implements Callable<Integer> {

    @Option(names = "--requests", defaultValue = "200000", description = "Requests in the fan-out run."
            + " Default: ${DEFAULT-VALUE}.")
    int requests;

    @Option(names = "--recipients", defaultValue = "20000", description = "Recipients they go to."
            + " Default: ${DEFAULT-VALUE}.")
    int recipients;

    @Option(names = "--mails", defaultValue = "6000", description = "LOW mails in the limiter run; a CRITICAL one is"
            + " sent once 300 have arrived. Default: ${DEFAULT-VALUE}.")
    int mails;

    @Option(names = "--email-rate", defaultValue = "100", description = "Email rate of the limiter run, per second"
            + " (burst: a fifth). Default: ${DEFAULT-VALUE}.")
    int emailRate;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads of the fan-out and of the reference"
            + " alike (the service's example configuration runs 2). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--work-dir", description = "Where the platform's data goes; default a fresh temporary directory.")
    Path workDir;

    private static final Duration GIVE_UP = Duration.ofMinutes(10);
    private static final String VIP = "vip";

    @Override
    public Integer call() throws Exception {
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("notifications-bench");
        LocalPlatform.Settings settings = LocalPlatform.Settings.onFreePorts(dir, EnumSet.noneOf(LocalPlatform.Service.class));
        System.out.printf("notifications bench: %,d requests for %,d recipients (%d stream thread(s)), then %,d mails"
                + " at %d/s; data in %s%n", requests, recipients, threads, mails, emailRate, dir);
        try (LocalPlatform platform = LocalPlatform.start(settings, new PrintStream(OutputStream.nullOutputStream()))) {
            String bootstrap = "127.0.0.1:" + settings.kafkaPort();
            SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(
                    Map.of("schema.registry.url", "http://127.0.0.1:" + settings.registryPort()));
            NotificationSerdes serdes = NotificationSerdes.on(registry);
            String[] referenceTopics = PassThroughReference.topics(bootstrap, NotificationTopology.partitions());
            String applicationId = "bench-fanout-" + UUID.randomUUID();

            produce(bootstrap, serdes, "bench", requests, NotificationPriority.NORMAL);
            NotificationSettings unlimited = settings(applicationId, 1e9, Integer.MAX_VALUE);
            long started = System.nanoTime();
            try (KafkaStreams fanOut = fanOut(unlimited, serdes, bootstrap, dir)) {
                PassThroughReference.awaitCommitted(bootstrap, TopicCatalog.NOTIFICATIONS_EMAIL, requests);
            }
            double fanOutRate = requests / ((System.nanoTime() - started) / 1e9);
            double reference = PassThroughReference.run(bootstrap, referenceTopics[0], referenceTopics[1], requests,
                    i -> key("bench", i), i -> serdes.requests().serializer().serialize(
                            TopicCatalog.NOTIFICATIONS_REQUESTS, request("bench", i, NotificationPriority.NORMAL)),
                    threads);

            int burst = Math.max(1, emailRate / 5);
            Limiter limiter = limiter(settings(applicationId, emailRate, burst), serdes, bootstrap, dir);

            System.out.printf("%n| measure | result |%n|---|---|%n");
            System.out.printf("| fan-out, request to committed email message, exactly once, no limit, no delivery"
                    + " | %,.0f requests/s |%n", fanOutRate);
            System.out.printf("| reference: plain exactly-once Streams copy of the same requests, same broker"
                    + " | %,.0f records/s |%n", reference);
            System.out.printf("| email limit %d/s burst %d: rate at the SMTP server over %,d mails | %.1f mails/s |%n",
                    emailRate, burst, mails + 1, limiter.rate());
            System.out.printf("| email limit %d/s burst %d: busiest second at the SMTP server (limit + burst = %d)"
                    + " | %d mails |%n", emailRate, burst, emailRate + burst, limiter.busiestSecond());
            System.out.printf("| a CRITICAL mail sent behind %,d waiting LOW ones: sent to arrival at the SMTP server"
                    + " | %d ms |%n", limiter.waitingBehind(), limiter.criticalMillis());
        }
        return 0;
    }

    private static NotificationSettings settings(String applicationId, double rate, int burst) {
        NotificationSettings settings = new NotificationSettings();
        settings.setApplicationId(applicationId);
        settings.setChannels(Map.of(NotificationChannel.EMAIL, new NotificationSettings.ChannelLimit(rate, burst)));
        settings.setRecipientLimits(Map.of());
        return settings;
    }

    private KafkaStreams fanOut(NotificationSettings settings, NotificationSerdes serdes, String bootstrap, Path dir) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.getApplicationId());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("fanout-state").toString());
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        KafkaStreams streams = new KafkaStreams(NotificationTopology.build(settings, serdes, Templates.none()), config);
        streams.start();
        return streams;
    }

    /** What the SMTP server saw of the limit, and how long a CRITICAL mail took past the queue. */
    private record Limiter(double rate, int busiestSecond, long criticalMillis, int waitingBehind) {
    }

    /**
     * LOW mails at the limit through the fan-out (resuming where the first run stopped) and the
     * real email worker; once 300 have arrived, a CRITICAL one for another recipient.
     */
    private Limiter limiter(NotificationSettings settings, NotificationSerdes serdes, String bootstrap, Path dir)
            throws Exception {
        String group = settings.getApplicationId() + "-delivery-email";
        skipToEnd(bootstrap, group);
        try (DevMailServer smtp = new DevMailServer(FreePorts.next(), dir.resolve("mail"))) {
            settings.getEmail().setSmtp(List.of(new NotificationSettings.SmtpServer("127.0.0.1", smtp.port())));
            produce(bootstrap, serdes, "limited", mails, NotificationPriority.LOW);
            Map<String, Object> client = new HashMap<>(Map.of("bootstrap.servers", bootstrap));
            DeliveryWorkers workers = new DeliveryWorkers(settings, serdes, client, "bench");
            long criticalSent;
            int waitingBehind;
            try (KafkaStreams fanOut = fanOut(settings, serdes, bootstrap, dir)) {
                workers.start();
                awaitArrivals(smtp, 300);
                criticalSent = System.currentTimeMillis();
                waitingBehind = mails - smtp.arrivals().size();
                sendCritical(bootstrap, serdes);
                awaitArrivals(smtp, mails + 1);
            } finally {
                workers.stop();
            }
            List<DevMailServer.Arrival> arrivals = smtp.arrivals();
            long criticalArrived = arrivals.stream().filter(arrival -> arrival.recipient().equals(VIP + "@example.com"))
                    .findFirst().orElseThrow().atMillis();
            List<Long> times = arrivals.stream().map(DevMailServer.Arrival::atMillis).sorted().toList();
            double rate = (times.size() - 1) / ((times.get(times.size() - 1) - times.get(0)) / 1000.0);
            int busiest = 0;
            for (int first = 0, last = 0; last < times.size(); last++) {
                while (times.get(last) - times.get(first) >= 1_000) {
                    first++;
                }
                busiest = Math.max(busiest, last - first + 1);
            }
            return new Limiter(rate, busiest, criticalArrived - criticalSent, waitingBehind);
        }
    }

    private static void awaitArrivals(DevMailServer smtp, int count) {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        while (smtp.arrivals().size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Only " + smtp.arrivals().size() + " of " + count + " mails arrived");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static void sendCritical(String bootstrap, NotificationSerdes serdes) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            byte[] key = ("limited:" + VIP).getBytes(StandardCharsets.UTF_8);
            RecipientPreferences prefs = RecipientPreferences.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setTenantId("limited").setSource("bench").setReceivedAt(Instant.now()).setRecipientId(VIP)
                    .setEmail(VIP + "@example.com").build();
            producer.send(new ProducerRecord<>(TopicCatalog.NOTIFICATIONS_PREFERENCES, key,
                    serdes.preferences().serializer().serialize(TopicCatalog.NOTIFICATIONS_PREFERENCES, prefs)));
            NotificationRequest critical = NotificationRequest.newBuilder().setEventId("critical-" + UUID.randomUUID())
                    .setTenantId("limited").setSource("bench").setReceivedAt(Instant.now()).setRecipientId(VIP)
                    .setSubject("Your password was changed").setBody("If this was not you, call us.")
                    .setChannels(List.of(NotificationChannel.EMAIL)).setPriority(NotificationPriority.CRITICAL).build();
            producer.send(new ProducerRecord<>(TopicCatalog.NOTIFICATIONS_REQUESTS, key,
                    serdes.requests().serializer().serialize(TopicCatalog.NOTIFICATIONS_REQUESTS, critical)));
        }
    }

    /** The email worker group starts after the first run's messages: those were not for delivery. */
    private static void skipToEnd(String bootstrap, String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(TopicCatalog.NOTIFICATIONS_EMAIL))
                    .allTopicNames().get(30, TimeUnit.SECONDS).get(TopicCatalog.NOTIFICATIONS_EMAIL).partitions().stream()
                    .map(info -> new TopicPartition(TopicCatalog.NOTIFICATIONS_EMAIL, info.partition())).toList();
            Map<TopicPartition, OffsetAndMetadata> ends = admin.listOffsets(partitions.stream().collect(
                            Collectors.toMap(partition -> partition, partition -> OffsetSpec.latest())))
                    .all().get(30, TimeUnit.SECONDS).entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                            entry -> new OffsetAndMetadata(entry.getValue().offset())));
            admin.alterConsumerGroupOffsets(group, ends).all().get(30, TimeUnit.SECONDS);
        }
    }

    private void produce(String bootstrap, NotificationSerdes serdes, String tenant, int count,
                         NotificationPriority priority) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int r = 0; r < Math.min(recipients, count); r++) {
                RecipientPreferences prefs = RecipientPreferences.newBuilder().setEventId(UUID.randomUUID().toString())
                        .setTenantId(tenant).setSource("bench").setReceivedAt(Instant.now()).setRecipientId("r" + r)
                        .setEmail("r" + r + "@example.com").build();
                producer.send(new ProducerRecord<>(TopicCatalog.NOTIFICATIONS_PREFERENCES, key(tenant, r),
                        serdes.preferences().serializer().serialize(TopicCatalog.NOTIFICATIONS_PREFERENCES, prefs)));
            }
            producer.flush();
            for (long i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(TopicCatalog.NOTIFICATIONS_REQUESTS, key(tenant, i),
                        serdes.requests().serializer().serialize(TopicCatalog.NOTIFICATIONS_REQUESTS,
                                request(tenant, i, priority))), (metadata, error) -> {
                                    if (error != null) {
                                        failed.compareAndSet(null, error);
                                    }
                                });
            }
        }
        if (failed.get() != null) {
            throw new IllegalStateException("Writing the requests failed", failed.get());
        }
    }

    private byte[] key(String tenant, long i) {
        return (tenant + ":r" + (i % recipients)).getBytes(StandardCharsets.UTF_8);
    }

    private NotificationRequest request(String tenant, long i, NotificationPriority priority) {
        return NotificationRequest.newBuilder().setEventId(tenant + "-" + i).setTenantId(tenant).setSource("bench")
                .setReceivedAt(Instant.now()).setRecipientId("r" + (i % recipients)).setSubject("Your receipt " + i)
                .setBody("Thank you for your order " + i + ". It ships tomorrow.")
                .setChannels(List.of(NotificationChannel.EMAIL)).setPriority(priority).build();
    }
}
