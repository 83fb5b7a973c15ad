package dev.eventbackbone.launcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbackbone.audit.AuditStoreApplication;
import dev.eventbackbone.audit.AuditStoreConfiguration;
import dev.eventbackbone.audit.evidence.ProofCheck;
import dev.eventbackbone.audit.evidence.SigningKey;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.AuditActorType;
import dev.eventbackbone.contracts.events.AuditFlags;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditResource;
import dev.eventbackbone.contracts.events.AuditSeverity;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.contracts.serde.AvroSerializer;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaCluster;
import dev.eventbackbone.launcher.DropwizardServer;
import dev.eventbackbone.registry.SchemaRegistryApplication;
import dev.eventbackbone.registry.SchemaRegistryConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backbone bench audit}: the audit store's ingest rate and search latency, on a private
 * embedded broker and registry. The same records are first written by a plain Kafka producer and
 * read back by a plain consumer, whose rates are printed beside the store's.
 */
@Command(name = "audit",
        mixinStandardHelpOptions = true,
        description = "Measures audit-store ingest (events/s from audit.events into the hash-chained RocksDB log)"
                + " and actor-search latency over HTTP, on a private embedded broker, beside a raw Kafka"
                + " producer's and consumer's rate on the same records.")
final class AuditBenchCommand implements Callable<Integer> {

    private static final String TOPIC = "audit.events";
    private static final ObjectMapper JSON = new ObjectMapper();

    private byte[] tenantOfEvent;

    @Option(names = "--events", defaultValue = "1000000", description = "Records to store. Default: ${DEFAULT-VALUE}.")
    int events;

    @Option(names = "--actors", defaultValue = "10000", description = "Distinct actors. Default: ${DEFAULT-VALUE}.")
    int actors;

    @Option(names = "--tenants", defaultValue = "4", description = "Tenants (one chain each). Default: ${DEFAULT-VALUE}.")
    int tenants;

    @Option(names = "--searches", defaultValue = "5000", description = "Measured actor searches. Default: ${DEFAULT-VALUE}.")
    int searches;

    @Option(names = "--page-size", defaultValue = "50", description = "Records per search page. Default: ${DEFAULT-VALUE}.")
    int pageSize;

    @Option(names = "--work-dir", description = "Where broker and store data go; default a fresh temporary directory.")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("audit-bench");
        tenantOfEvent = new byte[events];
        System.out.printf("audit bench: %,d records, %,d actors, %d tenants; data in %s%n", events, actors, tenants, dir);
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().nodes(1).dataDir(dir.resolve("kafka")).start()) {
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 6, (short) 1),
                        new NewTopic(TopicCatalog.AUDIT_HEADS, 1, (short) 1))).all().get();
            }
            SchemaRegistryConfiguration registryConfiguration = new SchemaRegistryConfiguration().embeddedOnLoopback(0);
            registryConfiguration.getKafka().setBootstrapServers(bootstrap);
            try (DropwizardServer registry = DropwizardServer.start(new SchemaRegistryApplication(), registryConfiguration)) {
                String registryUrl = "http://127.0.0.1:" + registry.localPort();
                double produced = produce(bootstrap, registryUrl);
                double consumed = consume(bootstrap);
                storeAndSearch(bootstrap, registryUrl, dir, produced, consumed);
            }
        }
        return 0;
    }

    private double produce(String bootstrap, String registryUrl) {
        AvroSerializer<AuditRecord> serializer = new AvroSerializer<>(SchemaRegistryClient.fromConfig(
                Map.of("schema.registry.url", registryUrl)));
        Instant start = Instant.now();
        long began = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 131072),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < events; i++) {
                AuditRecord record = record(i, start);
                tenantOfEvent[i] = (byte) Integer.parseInt(record.getTenantId().substring("tenant-".length()));
                // Keyed by tenant, as the normalizer writes audit.events: a tenant's log is one partition.
                producer.send(new ProducerRecord<>(TOPIC, record.getTenantId().getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(TOPIC, record)));
            }
            producer.flush();
        }
        double rate = events / ((System.nanoTime() - began) / 1e9);
        System.out.printf("  raw producer (acks=all, Avro-serialized records): %,.0f records/s%n", rate);
        return rate;
    }

    private double consume(String bootstrap) {
        long began = System.nanoTime();
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (read < events) {
                read += consumer.poll(Duration.ofMillis(100)).count();
            }
        }
        double rate = events / ((System.nanoTime() - began) / 1e9);
        System.out.printf("  raw consumer (read_committed, no processing):     %,.0f records/s%n", rate);
        return rate;
    }

    private void storeAndSearch(String bootstrap, String registryUrl, Path dir, double produced, double consumed)
            throws Exception {
        Path keys = dir.resolve("keys.yml");
        String[] apiKeys = new String[tenants];
        for (int t = 0; t < tenants; t++) {
            apiKeys[t] = ApiKeyStore.create(keys, "tenant-" + t, List.of("read:audit"), null).secret();
        }
        AuditStoreConfiguration configuration = new AuditStoreConfiguration().embeddedOnLoopback(0, 0);
        configuration.getKafka().setBootstrapServers(bootstrap);
        configuration.getRegistry().setUrl(registryUrl);
        configuration.setKeysFile(keys);
        configuration.setDataDirectory(dir.resolve("store"));
        configuration.setDevMode(true);
        HttpClient http = HttpClient.newHttpClient();
        long began = System.nanoTime();
        try (DropwizardServer store = DropwizardServer.start(new AuditStoreApplication(), configuration)) {
            String base = "http://127.0.0.1:" + store.localPort() + "/v1/audit/events";
            long stored = 0;
            long tenthAt = 0;
            long tenthCount = 0;
            while (stored < events) {
                Thread.sleep(100);
                stored = 0;
                for (int t = 0; t < tenants; t++) {
                    stored += newestSequence(http, base + "?limit=1", apiKeys[t]);
                }
                if (tenthAt == 0 && stored >= events / 10) {
                    tenthAt = System.nanoTime();
                    tenthCount = stored;
                }
            }
            long done = System.nanoTime();
            double ingest = events / ((done - began) / 1e9);
            // A load stored within one 100 ms look has no steady part to measure.
            double steady = done - tenthAt < 200_000_000L ? ingest : (events - tenthCount) / ((done - tenthAt) / 1e9);
            System.out.printf("  audit store ingest, from store start:               %,.0f events/s%n", ingest);
            System.out.printf("  audit store ingest, steady (after the first 10 %%):  %,.0f events/s%n", steady);

            Histogram latencies = new Histogram(3);
            for (int i = 0; i < searches + 500; i++) {
                int actor = ThreadLocalRandom.current().nextInt(actors);
                int tenant = tenantOfActor(actor);
                HttpRequest request = HttpRequest.newBuilder(URI.create(base + "?actor=user-" + actor + "&limit=" + pageSize))
                        .header("Authorization", "Bearer " + apiKeys[tenant]).build();
                long sent = System.nanoTime();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                long micros = (System.nanoTime() - sent) / 1000;
                if (response.statusCode() != 200 || !response.body().contains("user-" + actor)) {
                    throw new IllegalStateException("Search failed: " + response.statusCode() + " " + response.body());
                }
                if (i >= 500) {
                    latencies.recordValue(micros);
                }
            }
            System.out.printf("  actor search over %,d records, %d per page, %,d searches: p50 %.2f ms, p99 %.2f ms,"
                            + " max %.2f ms%n", events, pageSize, searches, latencies.getValueAtPercentile(50) / 1000.0,
                    latencies.getValueAtPercentile(99) / 1000.0, latencies.getMaxValue() / 1000.0);

            Histogram proofs = inclusionProofs(http, "http://127.0.0.1:" + store.localPort() + "/v1/audit", apiKeys);
            System.out.printf("  inclusion proof by event id over %,d records, %,d proofs: p50 %.2f ms, p99 %.2f ms,"
                            + " max %.2f ms%n", events, searches, proofs.getValueAtPercentile(50) / 1000.0,
                    proofs.getValueAtPercentile(99) / 1000.0, proofs.getMaxValue() / 1000.0);
            System.out.printf("%n| measure | result |%n|---|---|%n| raw producer | %,.0f records/s |%n"
                            + "| raw consumer | %,.0f records/s |%n| audit store ingest, from start | %,.0f events/s |%n"
                            + "| audit store ingest, steady | %,.0f events/s |%n| actor search p50 / p99 | %.2f / %.2f ms |%n"
                            + "| inclusion proof p50 / p99 | %.2f / %.2f ms |%n",
                    produced, consumed, ingest, steady, latencies.getValueAtPercentile(50) / 1000.0,
                    latencies.getValueAtPercentile(99) / 1000.0, proofs.getValueAtPercentile(50) / 1000.0,
                    proofs.getValueAtPercentile(99) / 1000.0);
        }
    }

    /**
     * Signs a head over every tenant's whole tree (a proof for the current size does), then asks for
     * inclusion proofs of random events, each checked against the signed root, after 500 unmeasured ones.
     */
    private Histogram inclusionProofs(HttpClient http, String api, String[] apiKeys) throws Exception {
        for (int t = 0; t < tenants; t++) {
            long size = newestSequence(http, api + "/events?limit=1", apiKeys[t]);
            if (size > 0) {
                JSON.readTree(get(http, api + "/proofs/inclusion?index=0&treeSize=" + size, apiKeys[t]));
            }
        }
        PublicKey storeKey = SigningKey.parsePublicPem(http.send(HttpRequest.newBuilder(
                URI.create(api + "/public-key.pem")).build(), HttpResponse.BodyHandlers.ofString()).body());
        Histogram latencies = new Histogram(3);
        for (int i = 0; i < searches + 500; i++) {
            int event = ThreadLocalRandom.current().nextInt(events);
            long sent = System.nanoTime();
            String body = get(http, api + "/proofs/inclusion?eventId=bench-" + event, apiKeys[tenantOfEvent[event]]);
            long micros = (System.nanoTime() - sent) / 1000;
            ProofCheck.Result checked = ProofCheck.check(JSON.readTree(body), storeKey, null);
            if (!checked.verified()) {
                throw new IllegalStateException("An inclusion proof did not verify (" + checked.problem() + "): " + body);
            }
            if (i >= 500) {
                latencies.recordValue(micros);
            }
        }
        return latencies;
    }

    private static String get(HttpClient http, String url, String apiKey) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static long newestSequence(HttpClient http, String url, String apiKey) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + apiKey)
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        JsonNode newest = JSON.readTree(body).path("events").path(0);
        return newest.isMissingNode() ? 0 : newest.path("index").asLong() + 1;
    }

    private int tenantOfActor(int actor) {
        return actor % tenants;
    }

    /** A realistic normalized login or file event, about 400 bytes of canonical JSON. */
    private AuditRecord record(int i, Instant start) {
        int actor = ThreadLocalRandom.current().nextInt(actors);
        boolean login = i % 3 != 0;
        Instant at = start.plusMillis(i);
        return AuditRecord.newBuilder()
                .setEventId("bench-" + i)
                .setTenantId("tenant-" + tenantOfActor(actor))
                .setSource(login ? "auth-service" : "files-api")
                .setReceivedAt(at)
                .setOccurredAt(at)
                .setAction(login ? "auth.login" : "file.upload")
                .setActionRaw(login ? "LOGIN_SUCCESS" : "file_uploaded")
                .setOutcome(i % 17 == 0 ? AuditOutcome.FAILURE : AuditOutcome.SUCCESS)
                .setSeverity(i % 17 == 0 ? AuditSeverity.WARNING : AuditSeverity.INFO)
                .setActorType(AuditActorType.USER)
                .setActorId("user-" + actor)
                .setActorName("User " + actor)
                .setActorEmailHash(null)
                .setResource(AuditResource.newBuilder().setType(login ? "session" : "file").setId((login ? "s-" : "f-") + i)
                        .setName(login ? null : "report-" + i + ".pdf").build())
                .setIp("203.0.113.0")
                .setUserAgent("Mozilla/5.0 (X11; Linux x86_64)")
                .setFlags(AuditFlags.newBuilder().build())
                .setMetadata(Map.of("region", "eu-west-1"))
                .build();
    }
}
