package dev.eventbackbone.audit;

import dev.eventbackbone.service.QueryRouter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Which store instance holds a tenant's log. A tenant lives in the partition of its id; the
 * instances share the partitions as one consumer group, and each names itself in its client id
 * ({@code audit-store@<url>}), so the group's assignment, as Kafka reports it, maps every
 * partition to the instance that holds it. This instance answers for the partitions it owns once
 * it has caught up with them; a query for another partition goes to its owner.
 */
final class TenantOwnership implements QueryRouter.Ownership {

    static final String CLIENT_ID_PREFIX = "audit-store@";
    private static final Duration REFRESH = Duration.ofSeconds(1);

    private final Admin admin;
    private final URI self;
    private final String groupId;
    private final String topic;
    private final AuditIngester ingester;
    private final Clock clock;
    private Map<Integer, URI> owners = Map.of();
    private long refreshedAt;

    TenantOwnership(Admin admin, String groupId, String topic, AuditIngester ingester, String self, Clock clock) {
        this.admin = admin;
        this.self = URI.create(self);
        this.groupId = groupId;
        this.topic = topic;
        this.ingester = ingester;
        this.clock = clock;
    }

    static String clientId(String advertisedUrl) {
        return CLIENT_ID_PREFIX + advertisedUrl;
    }

    @Override
    public QueryRouter.Owner ownerOf(String tenant) {
        int partitions = ingester.partitionCount();
        if (partitions == 0) {
            return new QueryRouter.Owner.Unavailable("the store has not joined its consumer group yet");
        }
        int partition = AuditIngester.partitionOf(tenant, partitions);
        if (ingester.owns(partition)) {
            return ingester.caughtUp(partition) ? new QueryRouter.Owner.Local()
                    : new QueryRouter.Owner.Unavailable("this instance took over the tenant's partition and is still"
                    + " reading it up to where it stood");
        }
        URI owner = owners(false).get(partition);
        if (owner == null) {
            owner = owners(true).get(partition);
        }
        if (owner == null) {
            return new QueryRouter.Owner.Unavailable("no store instance owns the tenant's partition now (the instances"
                    + " are rebalancing)");
        }
        return owner.equals(self) ? new QueryRouter.Owner.Unavailable("the tenant's partition is being assigned to"
                + " this instance") : new QueryRouter.Owner.Remote(owner);
    }

    private synchronized Map<Integer, URI> owners(boolean refreshNow) {
        long now = clock.millis();
        long age = now - refreshedAt;
        if (age < (refreshNow ? REFRESH.toMillis() / 4 : REFRESH.toMillis())) {
            return owners;
        }
        try {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId)).all()
                    .get(5, TimeUnit.SECONDS).get(groupId);
            Map<Integer, URI> found = new HashMap<>();
            for (MemberDescription member : group.members()) {
                if (!member.clientId().startsWith(CLIENT_ID_PREFIX)) {
                    continue;
                }
                URI url = URI.create(member.clientId().substring(CLIENT_ID_PREFIX.length()));
                for (TopicPartition partition : member.assignment().topicPartitions()) {
                    if (partition.topic().equals(topic)) {
                        found.put(partition.partition(), url);
                    }
                }
            }
            owners = found;
        } catch (ExecutionException | TimeoutException e) {
            owners = Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        refreshedAt = now;
        return owners;
    }
}
