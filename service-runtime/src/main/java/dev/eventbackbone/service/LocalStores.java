package dev.eventbackbone.service;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * This instance's copies of a Kafka Streams state store, for the services that answer queries
 * from local state (orders, notifications, analytics), read through {@code KafkaStreams#store}
 * (IQv1).
 *
 * <p>Not IQv2 ({@code KafkaStreams#query}): in Kafka Streams 4.3 and 4.4 an IQv2 query on a RocksDB
 * store (or a segment of a window store) takes the store's position lock and then its monitor,
 * while the stream thread's {@code put} takes them the other way round, so a query that meets a
 * write deadlocks the query and the stream thread for good (KAFKA-19629). An IQv1 read takes only
 * the monitors, in the stream thread's order. A store missing here, or moving, surfaces as an
 * {@code InvalidStateStoreException} when it is read.
 */
public final class LocalStores {

    private LocalStores() {
    }

    /**
     * The key-value store's copy of one partition, or of every partition held here when
     * {@code partition} is null; with {@code standbysToo} a standby's copy (possibly behind) counts.
     */
    public static <K, V> ReadOnlyKeyValueStore<K, V> keyValue(KafkaStreams streams, String store, Integer partition,
                                                              boolean standbysToo) {
        return streams.store(parameters(store, QueryableStoreTypes.<K, V>keyValueStore(), partition, standbysToo));
    }

    /** The same for a window store. */
    public static <K, V> ReadOnlyWindowStore<K, V> window(KafkaStreams streams, String store, Integer partition,
                                                          boolean standbysToo) {
        return streams.store(parameters(store, QueryableStoreTypes.<K, V>windowStore(), partition, standbysToo));
    }

    private static <T> StoreQueryParameters<T> parameters(String store, QueryableStoreType<T> type, Integer partition,
                                                          boolean standbysToo) {
        StoreQueryParameters<T> parameters = StoreQueryParameters.fromNameAndType(store, type).withPartition(partition);
        return standbysToo ? parameters.enableStaleStores() : parameters;
    }
}
