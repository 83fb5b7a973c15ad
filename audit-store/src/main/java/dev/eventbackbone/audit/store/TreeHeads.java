package dev.eventbackbone.audit.store;

import dev.eventbackbone.audit.evidence.KeyEndorsement;
import dev.eventbackbone.audit.evidence.KeyHistory;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.evidence.SigningKey;
import dev.eventbackbone.audit.merkle.CompactRange;
import dev.eventbackbone.audit.merkle.TreeHash;
import dev.eventbackbone.audit.store.AuditStorage.Family;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Signs the tenants' tree heads and keeps them. A head is signed only over leaves that are synced
 * to disk, so no power loss can take back what a head vouches for. Heads are signed for every
 * tenant on a fixed beat even when its tree did not grow (a missing head then shows a gap, as
 * hourly digests do), after a tenant's tree grew by a set number of leaves, and on demand for an
 * export; each is stored and handed to a publisher (the {@code audit.heads} topic).
 */
public final class TreeHeads {

    private final AuditStorage storage;
    private final Appender appender;
    private final SigningKey key;
    private final KeyHistory history;
    private final Clock clock;
    private final Consumer<SignedTreeHead> publisher;
    private final Map<String, SignedTreeHead> latest = new ConcurrentHashMap<>();
    private final Object signing = new Object();

    TreeHeads(AuditStorage storage, Appender appender, SigningKey key, KeyHistory history, Clock clock,
              Consumer<SignedTreeHead> publisher) {
        this.storage = storage;
        this.appender = appender;
        this.key = key;
        this.history = history;
        history.currentKeyId().filter(current -> !current.equals(key.keyId())).ifPresent(current -> {
            throw new IllegalStateException("The key history says heads are signed by key " + current
                    + " now, but the signing key is " + key.keyId() + ": configure the newest key");
        });
        this.clock = clock;
        this.publisher = publisher;
        for (String tenant : appender.tenants()) {
            newestStored(tenant).ifPresent(head -> latest.put(tenant, head));
        }
    }

    /** Signs a head for every tenant, grown or not: the regular beat. Returns how many were signed. */
    public int signAll() {
        return signAll(tenant -> true);
    }

    /** The regular beat for the tenants this instance answers for. */
    public int signAll(Predicate<String> answersFor) {
        return sign(appender.tenants().stream().filter(answersFor).toList(), 0);
    }

    /** Signs a head for every tenant answered for whose tree grew by at least {@code leaves} since its last head. */
    public int signGrown(long leaves, Predicate<String> answersFor) {
        return sign(appender.tenants().stream().filter(answersFor).toList(), leaves);
    }

    /** Signs the tenant's current tree now, as an export or a proof request needs. */
    public SignedTreeHead signNow(String tenant) {
        sign(List.of(tenant), 0);
        return latest(tenant).orElseThrow();
    }

    private int sign(Iterable<String> tenants, long minimumGrowth) {
        synchronized (signing) {
            appender.awaitWrites();
            storage.syncWrites();
            long now = clock.millis();
            List<SignedTreeHead> signed = new ArrayList<>();
            try (WriteBatch batch = new WriteBatch()) {
                for (String tenant : tenants) {
                    CompactRange tree = appender.tree(tenant);
                    long lastSize = latest(tenant).map(SignedTreeHead::treeSize).orElse(-1L);
                    if (minimumGrowth > 0 && tree.size() - Math.max(lastSize, 0) < minimumGrowth) {
                        continue;
                    }
                    SignedTreeHead head = SignedTreeHead.sign(tenant, tree.size(), TreeHash.hex(tree.root()), now, key);
                    storage.put(batch, Family.HEADS, Keys.head(tenant, now, tree.size()), head.toJson());
                    signed.add(head);
                }
                if (!signed.isEmpty()) {
                    storage.write(batch);
                }
            }
            signed.forEach(head -> {
                latest.put(head.tenantId(), head);
                publisher.accept(head);
            });
            return signed.size();
        }
    }

    public Optional<SignedTreeHead> latest(String tenant) {
        return Optional.ofNullable(latest.get(tenant));
    }

    /** The tenant's heads, newest first, signed before {@code beforeTimestamp}. */
    public List<SignedTreeHead> list(String tenant, long beforeTimestamp, int limit) {
        byte[] prefix = Keys.tenantPrefix(tenant);
        return storage.read(() -> {
            List<SignedTreeHead> heads = new ArrayList<>();
            try (RocksIterator iterator = storage.iterator(Family.HEADS)) {
                for (iterator.seekForPrev(Keys.head(tenant, beforeTimestamp - 1, Long.MAX_VALUE));
                     iterator.isValid() && Keys.startsWith(iterator.key(), prefix) && heads.size() < limit;
                     iterator.prev()) {
                    heads.add(SignedTreeHead.fromJson(iterator.value()));
                }
            }
            return heads;
        });
    }

    /** Every stored head of the tenant, oldest first: what verification and exports check against. */
    public List<SignedTreeHead> all(String tenant) {
        List<SignedTreeHead> heads = new ArrayList<>(list(tenant, Long.MAX_VALUE, Integer.MAX_VALUE));
        Collections.reverse(heads);
        return heads;
    }

    private Optional<SignedTreeHead> newestStored(String tenant) {
        List<SignedTreeHead> newest = list(tenant, Long.MAX_VALUE, 1);
        return newest.isEmpty() ? Optional.empty() : Optional.of(newest.get(0));
    }

    public SigningKey key() {
        return key;
    }

    public KeyHistory history() {
        return history;
    }

    /**
     * Every key that may have signed this store's heads, by key id, with when it was retired: the
     * first key of the history and each one it validly endorsed, as the offline verifier sees them,
     * and the current key.
     */
    public Map<String, KeyHistory.Entry> keysById() {
        List<KeyEndorsement> steps = history.endorsements();
        PublicKey first = steps.isEmpty() ? key.publicKey() : SigningKey.parsePublicPem(steps.get(0).previousPublicKeyPem());
        Map<String, KeyHistory.Entry> keys = new LinkedHashMap<>(history.trustedFrom(first));
        keys.putIfAbsent(key.keyId(), new KeyHistory.Entry(key.keyId(), key.publicKey(), key.publicKeyPem(), null));
        return keys;
    }
}
