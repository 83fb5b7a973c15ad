package dev.eventbackbone.processors.audit;

import dev.eventbackbone.contracts.audit.PersonalSeal;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The audit normalization topology: audit.raw to audit.events, audit.alerts and audit.dlq, with the
 * keys that seal personal fields on audit.subject-keys, and audit.erasures destroying them. A plain
 * function of the settings and serdes, apart from any lifecycle, so the service and the
 * TopologyTestDriver tests run the very same topology.
 */
public final class AuditNormalizationTopology {

    /** This topology's name: rejectedBy of its dead letters, source of its derived alerts, default application.id. */
    public static final String COMPONENT = PersonalSeal.NORMALIZER_SOURCE;

    static final String DEDUPE_STORE = "audit-dedupe";
    static final String FAILED_LOGINS_STORE = "audit-failed-logins";
    static final String SUBJECT_KEYS_STORE = "audit-subject-keys";
    static final String EVENTS_SINK = "audit-events";
    static final String SUBJECT_KEYS_SINK = "audit-subject-keys";
    static final String ALERTS_SINK = "audit-alerts";
    static final String DLQ_SINK = "audit-dlq";

    private static final String SOURCE = "audit-raw";
    private static final String ERASURE_SOURCE = "audit-erasure-requests";
    private static final String NORMALIZER = "audit-normalize";
    private static final String ERASER = "audit-erase";

    private AuditNormalizationTopology() {
    }

    /** @throws IllegalArgumentException on settings that must not run, e.g. IP hashing without a key */
    public static Topology build(AuditSettings settings, AuditSerdes serdes) {
        AuditNormalizer normalizer = new AuditNormalizer(settings);
        Duration dedupeWindow = settings.getDedupeWindow().toJavaDuration();
        // A window store rather than a key-value store purged by a punctuator: retention drops whole
        // expired segments at no scanning cost, and fetch() by time range ignores entries past the window.
        StoreBuilder<?> dedupe = Stores.windowStoreBuilder(
                Stores.persistentWindowStore(DEDUPE_STORE, dedupeWindow, dedupeWindow, false),
                Serdes.String(), Serdes.Long());
        StoreBuilder<?> failedLogins = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(FAILED_LOGINS_STORE), Serdes.String(), FailedLoginDetector.historySerde());

        // Compacted like audit.subject-keys, so a destroyed key leaves the changelog as soon (docs/audit.md,
        // Erasure); its replication is Streams' replication.factor, so the catalog's min.insync.replicas stays out.
        Map<String, String> erasable = new HashMap<>(
                TopicCatalog.byName(TopicCatalog.AUDIT_SUBJECT_KEYS).orElseThrow().configs());
        erasable.remove(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        StoreBuilder<?> subjectKeys = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SUBJECT_KEYS_STORE), Serdes.String(), Serdes.ByteArray())
                .withLoggingEnabled(erasable);

        ProcessorSupplier<byte[], byte[], Object, Object> processor = new ProcessorSupplier<>() {
            @Override
            public Processor<byte[], byte[], Object, Object> get() {
                return new AuditNormalizationProcessor(normalizer, serdes.raw().deserializer(), settings);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(dedupe, failedLogins, subjectKeys);
            }
        };

        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), TopicCatalog.AUDIT_RAW);
        topology.addSource(ERASURE_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                TopicCatalog.AUDIT_ERASURES);
        topology.addProcessor(NORMALIZER, processor, SOURCE);
        // The erasing processor shares the normalizer's key store, so task n of both topics is one task.
        topology.addProcessor(ERASER, () -> new AuditErasureProcessor(serdes.erasures().deserializer()), ERASURE_SOURCE);
        topology.connectProcessorAndStateStores(ERASER, SUBJECT_KEYS_STORE);
        topology.addSink(EVENTS_SINK, TopicCatalog.AUDIT_EVENTS, new StringSerializer(), serdes.records().serializer(),
                NORMALIZER, ERASER);
        topology.addSink(SUBJECT_KEYS_SINK, TopicCatalog.AUDIT_SUBJECT_KEYS, new StringSerializer(),
                serdes.subjectKeys().serializer(), NORMALIZER, ERASER);
        topology.addSink(ALERTS_SINK, TopicCatalog.AUDIT_ALERTS, new StringSerializer(), serdes.records().serializer(),
                NORMALIZER);
        topology.addSink(DLQ_SINK, TopicCatalog.AUDIT_DLQ, new ByteArraySerializer(), serdes.rejections().serializer(),
                NORMALIZER, ERASER);
        return topology;
    }
}
