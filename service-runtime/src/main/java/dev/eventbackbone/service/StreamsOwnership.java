package dev.eventbackbone.service;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where a key of a Kafka Streams state store lives, from the application's own metadata
 * ({@code application.server} of every instance): here, on another instance, or nowhere right now.
 * While a rebalance runs, an instance holding a standby of the key's partition answers from it
 * rather than nobody answering.
 */
public final class StreamsOwnership implements QueryRouter.Ownership {

    private final Supplier<KafkaStreams> streams;
    private final String store;
    private final Serializer<String> keys;
    private final HostInfo self;

    /**
     * @param streams the application, looked up per call since it is created after the routes
     * @param self    this instance's {@code application.server}
     */
    public StreamsOwnership(Supplier<KafkaStreams> streams, String store, Serializer<String> keys, HostInfo self) {
        this.streams = streams;
        this.store = store;
        this.keys = keys;
        this.self = self;
    }

    @Override
    public QueryRouter.Owner ownerOf(String key) {
        return ownerOf(key, true);
    }

    /**
     * Where the key's active task is: for a read that must see everything its task has done (a
     * standby applies the changelogs of one commit one store at a time, so it can show a store ahead
     * of another).
     */
    public QueryRouter.Owner activeOwnerOf(String key) {
        return ownerOf(key, false);
    }

    private QueryRouter.Owner ownerOf(String key, boolean standbyWhileRebalancing) {
        KafkaStreams application = streams.get();
        KafkaStreams.State state = application.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return new QueryRouter.Owner.Unavailable("this instance's Kafka Streams is " + state);
        }
        KeyQueryMetadata metadata = application.queryMetadataForKey(store, key, keys);
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            if (state == KafkaStreams.State.REBALANCING) {
                return new QueryRouter.Owner.Unavailable("a rebalance is assigning the store " + store);
            }
            return new QueryRouter.Owner.Unavailable("no instance holds the store " + store + " yet");
        }
        // Metadata without an active host for the partition (the task is between owners, or the
        // metadata has not caught up): asking here costs nothing, and "unavailable" is no address.
        if (self.equals(metadata.activeHost()) || isUnknown(metadata.activeHost())) {
            return new QueryRouter.Owner.Local();
        }
        if (standbyWhileRebalancing && state == KafkaStreams.State.REBALANCING
                && metadata.standbyHosts().contains(self)) {
            return new QueryRouter.Owner.Local();
        }
        HostInfo owner = metadata.activeHost();
        return new QueryRouter.Owner.Remote(URI.create("http://" + owner.host() + ":" + owner.port()));
    }

    /**
     * Every instance that holds the key, the active one first and then its standbys: a reader that
     * can live with a standby's possibly stale copy tries them in turn when the active one does
     * not answer (it died and the group has not noticed yet, or it is restoring). Empty while no
     * instance holds the store.
     */
    public List<QueryRouter.Owner> holdersOf(String key) {
        KafkaStreams application = streams.get();
        KafkaStreams.State state = application.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return List.of();
        }
        KeyQueryMetadata metadata = application.queryMetadataForKey(store, key, keys);
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return List.of();
        }
        List<QueryRouter.Owner> holders = new ArrayList<>();
        holders.add(isUnknown(metadata.activeHost()) ? new QueryRouter.Owner.Local() : ownerAt(metadata.activeHost()));
        metadata.standbyHosts().stream().sorted((a, b) -> a.equals(self) ? -1 : b.equals(self) ? 1 : 0)
                .forEach(host -> holders.add(ownerAt(host)));
        return holders;
    }

    /** Whether this instance holds the key's partition, as the active task or as a standby. */
    public boolean heldHere(String key) {
        KeyQueryMetadata metadata = streams.get().queryMetadataForKey(store, key, keys);
        return metadata != null && !metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)
                && (self.equals(metadata.activeHost()) || metadata.standbyHosts().contains(self));
    }

    /** Kafka Streams' placeholder for a partition whose active task has no known instance. */
    private static boolean isUnknown(HostInfo host) {
        return host == null || host.equals(HostInfo.unavailable());
    }

    private QueryRouter.Owner ownerAt(HostInfo host) {
        return self.equals(host) ? new QueryRouter.Owner.Local()
                : new QueryRouter.Owner.Remote(URI.create("http://" + host.host() + ":" + host.port()));
    }

    /** The partition the key's records are in, as the default partitioner puts them. */
    public int partitionOf(String key) {
        return streams.get().queryMetadataForKey(store, key, keys).partition();
    }
}
