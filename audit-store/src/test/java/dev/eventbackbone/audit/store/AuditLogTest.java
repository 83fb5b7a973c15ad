package dev.eventbackbone.audit.store;

import static dev.eventbackbone.audit.AuditRecords.login;
import static dev.eventbackbone.audit.AuditRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.audit.evidence.KeyEndorsement;
import dev.eventbackbone.audit.evidence.KeyHistory;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.evidence.SigningKey;
import dev.eventbackbone.audit.merkle.Proofs;
import dev.eventbackbone.audit.merkle.TreeHash;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log on a real RocksDB: appending, trees and heads, search, proofs, verification and retention. */
class AuditLogTest {

    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final TopicPartition P0 = new TopicPartition("audit.events", 0);

    @TempDir
    Path directory;

    SigningKey key;
    AuditLog log;
    final List<SignedTreeHead> published = new ArrayList<>();

    @BeforeEach
    void open() {
        key = SigningKey.generate(directory.resolve("key.pem"));
        log = reopen();
    }

    @AfterEach
    void close() {
        log.close();
    }

    AuditLog reopen() {
        return AuditLog.open(directory.resolve("db"), key, KeyHistory.none(),
                Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC), false, published::add);
    }

    void appendLogins(String tenant, int count, int firstOffset) {
        List<PreparedLeaf> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(PreparedLeaf.of(login(tenant, tenant + "-e" + (firstOffset + i), "user-" + (i % 3),
                    T0.plusSeconds(i))));
        }
        log.appender().append(batch, Map.of(P0, (long) firstOffset + count));
    }

    static List<PreparedLeaf> leaves(AuditRecord... records) {
        return List.of(records).stream().map(PreparedLeaf::of).toList();
    }

    @Test
    void eachTenantHasItsOwnTreeWhoseRootIsRfc9162sAndVerifies() {
        appendLogins("acme", 12, 0);
        appendLogins("globex", 3, 12);
        SignedTreeHead head = log.heads().signNow("acme");

        assertThat(log.appender().treeSize("acme")).isEqualTo(12);
        assertThat(log.appender().treeSize("globex")).isEqualTo(3);
        List<byte[]> leafHashes = new ArrayList<>();
        for (long i = 0; i < 12; i++) {
            leafHashes.add(log.searcher().leaf("acme", i).orElseThrow().leafHash());
        }
        assertThat(head.rootHash()).isEqualTo(TreeHash.hex(naiveRoot(leafHashes)));
        assertThat(head.signedBy(key.publicKey())).isTrue();
        assertThat(published).contains(head);
        Verification.Result result = log.verification().verify("acme");
        assertThat(result.verified()).as(result.reason()).isTrue();
        assertThat(result.leavesChecked()).isEqualTo(12);
        assertThat(result.headsChecked()).isEqualTo(1);
    }

    @Test
    void verifyTrustsARetiredKeyOnlyForHeadsItSignedBeforeItsRetirement() {
        appendLogins("acme", 3, 0);
        log.heads().signNow("acme");
        log.close();
        SigningKey next = SigningKey.generate(directory.resolve("next.pem"));
        long headSignedAt = T0.plusSeconds(60).toEpochMilli();

        log = AuditLog.open(directory.resolve("db"), next, new KeyHistory(List.of(
                        KeyEndorsement.endorse(key, next.publicKey(), headSignedAt + 1_000))),
                Clock.fixed(T0.plusSeconds(120), ZoneOffset.UTC), false, published::add);
        Verification.Result rotatedLater = log.verification().verify("acme");
        assertThat(rotatedLater.verified()).as(rotatedLater.reason()).isTrue();
        log.close();

        log = AuditLog.open(directory.resolve("db"), next, new KeyHistory(List.of(
                        KeyEndorsement.endorse(key, next.publicKey(), headSignedAt - 1_000))),
                Clock.fixed(T0.plusSeconds(120), ZoneOffset.UTC), false, published::add);
        Verification.Result signedAfterRetirement = log.verification().verify("acme");
        assertThat(signedAfterRetirement.verified()).isFalse();
        assertThat(signedAfterRetirement.reason()).contains("after that key was retired");
    }

    /** RFC 9162's definition over leaf hashes, recursively. */
    static byte[] naiveRoot(List<byte[]> leafHashes) {
        if (leafHashes.size() == 1) {
            return leafHashes.get(0);
        }
        int k = Integer.highestOneBit(leafHashes.size() - 1);
        return TreeHash.node(naiveRoot(leafHashes.subList(0, k)), naiveRoot(leafHashes.subList(k, leafHashes.size())));
    }

    @Test
    void storesOffsetsWithTheLeavesAndKeepsTreesAcrossReopen() {
        appendLogins("acme", 4, 0);
        String rootBefore = log.heads().signNow("acme").rootHash();
        log.close();
        log = reopen();

        assertThat(log.appender().nextOffsets("audit.events", 1)).containsEntry(P0, 4L);
        assertThat(log.appender().treeSize("acme")).isEqualTo(4);
        assertThat(log.heads().latest("acme").orElseThrow().rootHash()).isEqualTo(rootBefore);
        appendLogins("acme", 2, 4);
        log.heads().signNow("acme");
        assertThat(log.verification().verify("acme").verified()).isTrue();
    }

    @Test
    void pipelinedAppendsTakeIndexesInStagingOrderAndCatchAnIdStillInFlight() throws Exception {
        var first = log.appender().appendAsync(leaves(login("acme", "a", "alice", T0), login("acme", "b", "alice", T0)),
                Map.of(P0, 2L));
        var second = log.appender().appendAsync(leaves(login("acme", "b", "alice", T0), login("acme", "c", "bob", T0)),
                Map.of(P0, 4L));

        assertThat(first.get().appended()).isEqualTo(2);
        assertThat(second.get().duplicates()).isEqualTo(1);
        assertThat(log.searcher().byEventId("acme", "c").orElseThrow().index()).isEqualTo(2);
        assertThat(log.appender().nextOffsets("audit.events", 1)).containsEntry(P0, 4L);
    }

    @Test
    void recordsOffsetsOfAPollWhoseRecordsAllWentToDeadLetters() {
        Appender.AppendResult result = log.appender().append(List.of(), Map.of(P0, 7L));

        assertThat(result.appended()).isZero();
        assertThat(log.appender().nextOffsets("audit.events", 1)).containsEntry(P0, 7L);
    }

    @Test
    void refusesASecondRecordWithTheSameEventId() {
        appendLogins("acme", 3, 0);
        Appender.AppendResult again = log.appender().append(leaves(login("acme", "acme-e1", "user-1", T0)),
                Map.of(P0, 4L));

        assertThat(again.duplicates()).isEqualTo(1);
        assertThat(log.appender().treeSize("acme")).isEqualTo(3);
        assertThat(log.appender().duplicatesSkipped()).isEqualTo(1);
    }

    @Test
    void aRejectionLeavesATraceInItsTenantsTree() {
        appendLogins("acme", 2, 0);
        log.appender().append(List.of(PreparedLeaf.rejection("acme", "audit.events", 0, 2, "UNDECODABLE",
                "The record could not be stored: it is not Avro; it is on audit.dlq.")), Map.of(P0, 3L));
        appendLogins("acme", 1, 3);

        StoredLeaf trace = log.searcher().leaf("acme", 2).orElseThrow();
        assertThat(trace.rejection()).isTrue();
        assertThat(trace.content().path("rejection").path("offset").asLong()).isEqualTo(2);
        assertThat(log.appender().treeSize("acme")).isEqualTo(4);
        log.heads().signNow("acme");
        assertThat(log.verification().verify("acme").verified()).isTrue();
    }

    @Test
    void searchesByEachIndexNewestFirstWithCursors() {
        log.appender().append(leaves(
                login("acme", "e1", "alice", T0),
                record("acme", "e2", "bob", "authz.denied", AuditOutcome.DENIED, "doc-1", T0.plusSeconds(1)),
                record("acme", "e3", "alice", "file.upload", AuditOutcome.SUCCESS, "doc-1", T0.plusSeconds(2)),
                record("acme", "e4", "alice", "auth.logout", AuditOutcome.SUCCESS, "s-1", T0.plusSeconds(3)),
                login("acme", "e5", "alice", T0.plusSeconds(4)),
                login("globex", "g1", "alice", T0.plusSeconds(5))), Map.of(P0, 6L));

        Page alice = log.searcher().search(AuditQuery.allOf("acme", 2).withActor("alice"));
        assertThat(eventIds(alice)).containsExactly("e5", "e4");
        Page next = log.searcher().search(AuditQuery.allOf("acme", 2).withActor("alice").before(alice.nextCursor()));
        assertThat(eventIds(next)).containsExactly("e3", "e1");
        assertThat(next.nextCursor()).isNull();

        assertThat(eventIds(log.searcher().search(query("acme", null, "auth.", null, null))))
                .containsExactly("e5", "e4", "e1");
        assertThat(eventIds(log.searcher().search(query("acme", null, null, "doc-1", null)))).containsExactly("e3", "e2");
        assertThat(eventIds(log.searcher().search(query("acme", null, null, null, "DENIED")))).containsExactly("e2");
        assertThat(eventIds(log.searcher().search(query("acme", "alice", "auth.login", null, null))))
                .containsExactly("e5", "e1");
        assertThat(eventIds(log.searcher().search(new AuditQuery("acme", null, null, null, null, null, null,
                T0.plusSeconds(1), T0.plusSeconds(3), Long.MAX_VALUE, 10)))).containsExactly("e3", "e2");
        assertThat(eventIds(log.searcher().search(query("globex", null, null, null, null)))).containsExactly("g1");
        assertThat(log.searcher().byEventId("globex", "e1")).isEmpty();
        assertThat(log.searcher().byEventId("acme", "e1")).isPresent();
    }

    static AuditQuery query(String tenant, String actor, String action, String resource, String outcome) {
        return new AuditQuery(tenant, actor, action, resource, null, outcome, null, null, null, Long.MAX_VALUE, 50);
    }

    static List<String> eventIds(Page page) {
        return page.leaves().stream().map(leaf -> leaf.content().path("eventId").asText()).toList();
    }

    @Test
    void aTenantIdHoldingANulByteNeverReachesIntoAnotherTenantsRange() {
        log.appender().append(leaves(login("a", "a-1", "alice", T0), login("a\0b", "intruder-1", "alice", T0),
                login("a\0b", "intruder-2", "mallory", T0)), Map.of(P0, 3L));

        assertThat(eventIds(log.searcher().search(AuditQuery.allOf("a", 50)))).containsExactly("a-1");
        assertThat(eventIds(log.searcher().search(AuditQuery.allOf("a", 50).withActor("alice")))).containsExactly("a-1");
        assertThat(log.appender().treeSize("a")).isEqualTo(1);
        log.heads().signNow("a");
        Verification.Result result = log.verification().verify("a");
        assertThat(result.verified()).as(result.reason()).isTrue();
        assertThat(result.leavesChecked()).isEqualTo(1);
        ByteArrayOutputStream export = new ByteArrayOutputStream();
        log.exporter().export("a", 0, export);
        assertThat(export.toString()).doesNotContain("intruder");
    }

    @Test
    void anActionLongerThanTheIndexCutsIsFoundByPrefixEvenWhenTheCutFallsInsideACharacter() {
        String action = "x".repeat(199) + "é".repeat(20);
        log.appender().append(leaves(record("acme", "long", "alice", action, AuditOutcome.SUCCESS, "r", T0),
                login("acme", "short", "alice", T0)), Map.of(P0, 2L));

        assertThat(eventIds(log.searcher().search(query("acme", null, "xxx", null, null)))).containsExactly("long");
        assertThat(eventIds(log.searcher().search(query("acme", null, action, null, null)))).containsExactly("long");
    }

    @Test
    void inclusionAndConsistencyProofsVerifyAgainstTheSignedRoots() {
        appendLogins("acme", 5, 0);
        SignedTreeHead older = log.heads().signNow("acme");
        appendLogins("acme", 9, 5);
        SignedTreeHead newer = log.heads().signNow("acme");

        for (long index = 0; index < 14; index++) {
            TreeProofs.Inclusion proof = log.proofs().inclusion("acme", index, 14);
            assertThat(Proofs.verifyInclusion(index, 14, proof.leafHash(), proof.path(),
                    TreeHash.fromHex(newer.rootHash()))).as("leaf %d", index).isTrue();
            assertThat(proof.leafHash()).isEqualTo(log.searcher().leaf("acme", index).orElseThrow().leafHash());
        }
        assertThat(Proofs.verifyConsistency(5, 14, TreeHash.fromHex(older.rootHash()),
                TreeHash.fromHex(newer.rootHash()), log.proofs().consistency("acme", 5, 14))).isTrue();
        assertThat(log.proofs().indexOf("acme", "acme-e7")).contains(7L);
        assertThatThrownBy(() -> log.proofs().inclusion("acme", 0, 15)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void verifyNamesTheLeafWhoseStoredBytesWereAltered() {
        appendLogins("acme", 12, 0);
        log.heads().signNow("acme");
        log.close();
        StoredBytes.rewrite(directory.resolve("db"), "acme", 9, "user-0", "user-2");
        log = reopen();

        Verification.Result result = log.verification().verify("acme");
        assertThat(result.verified()).isFalse();
        assertThat(result.firstBadIndex()).isEqualTo(9L);
        assertThat(result.reason()).contains("altered");
    }

    @Test
    void retentionDeletesContentButKeepsTheTreeAndItsProofs() {
        appendLogins("acme", 12, 0);
        SignedTreeHead head = log.heads().signNow("acme");

        long deleted = log.retention().deleteReceivedBefore("acme", T0.plusSeconds(7).toEpochMilli());

        assertThat(deleted).isEqualTo(7);
        assertThat(log.searcher().leaf("acme", 6)).isEmpty();
        assertThat(log.searcher().byEventId("acme", "acme-e0")).isEmpty();
        assertThat(log.searcher().search(AuditQuery.allOf("acme", 50)).leaves()).hasSize(5);
        TreeProofs.Inclusion proof = log.proofs().inclusion("acme", 3, 12);
        assertThat(Proofs.verifyInclusion(3, 12, proof.leafHash(), proof.path(), TreeHash.fromHex(head.rootHash())))
                .isTrue();
        Verification.Result result = log.verification().verify("acme");
        assertThat(result.verified()).as(result.reason()).isTrue();
        assertThat(result.leavesChecked()).isEqualTo(5);
        assertThat(result.leavesDeleted()).isEqualTo(7);
    }

    @Test
    void aLeafDatedInTheFutureDoesNotHoldBackTheRetentionOfTheLeavesAfterIt() {
        log.appender().append(leaves(login("acme", "old-1", "alice", T0),
                login("acme", "future", "alice", T0.plus(Duration.ofDays(3650))),
                login("acme", "old-2", "alice", T0.plusSeconds(1))), Map.of(P0, 3L));

        long deleted = log.retention().deleteReceivedBefore("acme", T0.plus(Duration.ofDays(1)).toEpochMilli());

        assertThat(deleted).isEqualTo(2);
        assertThat(eventIds(log.searcher().search(AuditQuery.allOf("acme", 50)))).containsExactly("future");
    }

    @Test
    void retentionRefusesToDeleteATamperedLeaf() {
        appendLogins("acme", 6, 0);
        log.close();
        StoredBytes.rewrite(directory.resolve("db"), "acme", 2, "user-2", "user-7");
        log = reopen();

        assertThatThrownBy(() -> log.retention().deleteReceivedBefore("acme",
                T0.plus(Duration.ofDays(1)).toEpochMilli()))
                .isInstanceOf(Retention.TamperingFound.class).hasMessageContaining("leaf 2");
        assertThat(log.searcher().leaf("acme", 2)).isPresent();
    }

    @Test
    void aFailedWriteStopsEveryBatchStagedAfterIt() throws Exception {
        log.close();
        AtomicInteger writes = new AtomicInteger();
        CountDownLatch secondStaged = new CountDownLatch(1);
        try (AuditStorage storage = AuditStorage.open(directory.resolve("faulty"), false)) {
            Appender appender = new Appender(storage, new SubjectKeyring(storage), Clock.systemUTC(), batch -> {
                if (writes.incrementAndGet() == 1) {
                    await(secondStaged);
                    throw new AuditStoreException("disk full", null);
                }
                storage.write(batch);
            });
            var first = appender.appendAsync(leaves(login("acme", "a", "alice", T0)), Map.of(P0, 1L));
            var second = appender.appendAsync(leaves(login("acme", "b", "alice", T0)), Map.of(P0, 2L));
            secondStaged.countDown();

            assertThatThrownBy(first::get).hasCauseInstanceOf(AuditStoreException.class);
            assertThatThrownBy(second::get).hasMessageContaining("an earlier batch failed");
            assertThat(writes.get()).as("the second batch never reached the disk").isEqualTo(1);
            assertThatThrownBy(() -> appender.appendAsync(leaves(login("acme", "c", "alice", T0)), Map.of(P0, 3L)))
                    .hasMessageContaining("stopped writing");
            assertThat(storage.get(AuditStorage.Family.LEAVES, Keys.leaf("acme", 1))).isNull();
            appender.close();
        }
        log = reopen();
    }

    @Test
    void closingWaitsForAReaderInsteadOfClosingRocksDbUnderIt() throws Exception {
        appendLogins("acme", 50, 0);
        CountDownLatch exporting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {
                exporting.countDown();
                await(release);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                write(0);
            }
        };
        CompletableFuture<Long> export = CompletableFuture.supplyAsync(() -> log.exporter().export("acme", 0, slow));
        assertThat(exporting.await(30, TimeUnit.SECONDS)).isTrue();
        Thread closing = new Thread(log::close, "closing-the-log");
        closing.start();
        Awaitility.await("close waiting for the reader").atMost(Duration.ofSeconds(30))
                .until(() -> closing.getState() == Thread.State.TIMED_WAITING);
        release.countDown();

        assertThat(export.get(30, TimeUnit.SECONDS)).isEqualTo(50);
        closing.join(Duration.ofSeconds(30).toMillis());
        assertThat(closing.isAlive()).isFalse();
        assertThatThrownBy(() -> log.searcher().leaf("acme", 0)).isInstanceOf(AuditStoreException.class)
                .hasMessageContaining("closed");
        log = reopen();
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
