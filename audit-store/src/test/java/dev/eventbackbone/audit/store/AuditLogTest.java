package dev.eventbackbone.audit.store;

import static dev.eventbackbone.audit.AuditRecords.login;
import static dev.eventbackbone.audit.AuditRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.audit.chain.ChainVerifier;
import dev.eventbackbone.audit.chain.ExportVerifier;
import dev.eventbackbone.audit.chain.SigningKey;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final TopicPartition P0 = new TopicPartition("audit.events", 0);

    @TempDir
    Path directory;

    private SigningKey key;
    private AuditLog log;

    @BeforeEach
    void open() {
        key = SigningKey.loadOrCreate(directory.resolve("key.pem"));
        log = open(5);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private AuditLog open(long checkpointEvery) {
        return AuditLog.open(directory.resolve("db"), key, Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC),
                checkpointEvery, false);
    }

    private void appendLogins(String tenant, int count, int firstOffset) {
        List<AuditRecord> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(login(tenant, tenant + "-e" + (firstOffset + i), "user-" + (i % 3), T0.plusSeconds(i)));
        }
        log.append(batch, Map.of(P0, (long) firstOffset + count));
    }

    @Test
    void chainsEachTenantWithGapFreeSequencesAndVerifies() {
        appendLogins("acme", 12, 0);
        appendLogins("globex", 3, 12);

        assertThat(log.headSequence("acme")).isEqualTo(12);
        assertThat(log.headSequence("globex")).isEqualTo(3);
        ChainVerifier.Result result = log.verify("acme", 1, Long.MAX_VALUE);
        assertThat(result.verified()).isTrue();
        assertThat(result.recordsChecked()).isEqualTo(12);
        assertThat(result.checkpointsChecked()).isEqualTo(2);
        assertThat(log.record("acme", 2).orElseThrow().previousHash()).isEqualTo(log.record("acme", 1).orElseThrow().hash());
    }

    @Test
    void storesOffsetsWithTheRecordsAndKeepsThemAcrossReopen() {
        appendLogins("acme", 4, 0);
        log.close();
        log = open(5);

        assertThat(log.nextOffsets("audit.events", 1)).containsEntry(P0, 4L);
        assertThat(log.headSequence("acme")).isEqualTo(4);
        appendLogins("acme", 2, 4);
        assertThat(log.verify("acme", 1, Long.MAX_VALUE).verified()).isTrue();
    }

    @Test
    void pipelinedAppendsChainInStagingOrderAndCatchAnIdStillInFlight() throws Exception {
        var first = log.appendAsync(List.of(PreparedRecord.of(login("acme", "a", "alice", T0)),
                PreparedRecord.of(login("acme", "b", "alice", T0))), Map.of(P0, 2L));
        var second = log.appendAsync(List.of(PreparedRecord.of(login("acme", "b", "alice", T0)),
                PreparedRecord.of(login("acme", "c", "bob", T0))), Map.of(P0, 4L));

        assertThat(first.get().appended()).isEqualTo(2);
        assertThat(second.get().duplicates()).isEqualTo(1);
        assertThat(log.byEventId("acme", "c").orElseThrow().sequence()).isEqualTo(3);
        assertThat(log.nextOffsets("audit.events", 1)).containsEntry(P0, 4L);
        assertThat(log.checkpointHeads()).isEqualTo(1);
        assertThat(log.verify("acme", 1, Long.MAX_VALUE).verified()).isTrue();
    }

    @Test
    void recordsOffsetsOfAPollWhoseRecordsAllWentToDeadLetters() {
        AuditLog.AppendResult result = log.append(List.of(), Map.of(P0, 7L));

        assertThat(result.appended()).isZero();
        assertThat(log.nextOffsets("audit.events", 1)).containsEntry(P0, 7L);
    }

    @Test
    void refusesASecondRecordWithTheSameEventId() {
        appendLogins("acme", 3, 0);
        AuditLog.AppendResult again = log.append(List.of(login("acme", "acme-e1", "user-1", T0)), Map.of(P0, 4L));

        assertThat(again.duplicates()).isEqualTo(1);
        assertThat(log.headSequence("acme")).isEqualTo(3);
        assertThat(log.duplicatesSkipped()).isEqualTo(1);
    }

    @Test
    void searchesByEachIndexNewestFirstWithCursors() {
        log.append(List.of(
                login("acme", "e1", "alice", T0),
                record("acme", "e2", "bob", "authz.denied", AuditOutcome.DENIED, "doc-1", T0.plusSeconds(1)),
                record("acme", "e3", "alice", "file.upload", AuditOutcome.SUCCESS, "doc-1", T0.plusSeconds(2)),
                record("acme", "e4", "alice", "auth.logout", AuditOutcome.SUCCESS, "s-1", T0.plusSeconds(3)),
                login("acme", "e5", "alice", T0.plusSeconds(4)),
                login("globex", "g1", "alice", T0.plusSeconds(5))), Map.of(P0, 6L));

        Page alice = log.search(AuditQuery.allOf("acme", 2).withActor("alice"));
        assertThat(eventIds(alice)).containsExactly("e5", "e4");
        Page next = log.search(AuditQuery.allOf("acme", 2).withActor("alice").before(alice.nextCursor()));
        assertThat(eventIds(next)).containsExactly("e3", "e1");
        assertThat(next.nextCursor()).isNull();

        assertThat(eventIds(log.search(query("acme", null, "auth.", null, null)))).containsExactly("e5", "e4", "e1");
        assertThat(eventIds(log.search(query("acme", null, null, "doc-1", null)))).containsExactly("e3", "e2");
        assertThat(eventIds(log.search(query("acme", null, null, null, "DENIED")))).containsExactly("e2");
        assertThat(eventIds(log.search(query("acme", "alice", "auth.login", null, null)))).containsExactly("e5", "e1");
        assertThat(eventIds(log.search(new AuditQuery("acme", null, null, null, null, null, null,
                T0.plusSeconds(1), T0.plusSeconds(3), Long.MAX_VALUE, 10)))).containsExactly("e3", "e2");
        assertThat(eventIds(log.search(query("globex", null, null, null, null)))).containsExactly("g1");
        assertThat(log.byEventId("globex", "e1")).isEmpty();
        assertThat(log.byEventId("acme", "e1")).isPresent();
    }

    private static AuditQuery query(String tenant, String actor, String action, String resource, String outcome) {
        return new AuditQuery(tenant, actor, action, resource, null, outcome, null, null, null, Long.MAX_VALUE, 50);
    }

    private static List<String> eventIds(Page page) {
        return page.records().stream().map(r -> r.record().path("eventId").asText()).toList();
    }

    @Test
    void exportVerifiesOfflineAndATamperedLineNamesItsSequence() {
        appendLogins("acme", 12, 0);
        log.checkpointHeads();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        log.export("acme", 1, Long.MAX_VALUE, out);
        String export = out.toString(StandardCharsets.UTF_8);

        ExportVerifier.Outcome intact = ExportVerifier.verify(new BufferedReader(new StringReader(export)),
                key.publicKey());
        assertThat(intact.chain().verified()).isTrue();
        assertThat(intact.chain().recordsChecked()).isEqualTo(12);
        assertThat(intact.signedThrough()).isEqualTo(12);

        String tampered = export.replace("\"actorId\":\"user-1\",\"actorName\":null,\"actorType\":\"USER\","
                + "\"eventId\":\"acme-e7\"", "\"actorId\":\"user-9\",\"actorName\":null,\"actorType\":\"USER\","
                + "\"eventId\":\"acme-e7\"");
        assertThat(tampered).isNotEqualTo(export);
        ExportVerifier.Outcome broken = ExportVerifier.verify(new BufferedReader(new StringReader(tampered)),
                key.publicKey());
        assertThat(broken.chain().verified()).isFalse();
        assertThat(broken.chain().firstBrokenSequence()).isEqualTo(8L);

        SigningKey otherKey = SigningKey.loadOrCreate(directory.resolve("other.pem"));
        ExportVerifier.Outcome forged = ExportVerifier.verify(new BufferedReader(new StringReader(export)),
                otherKey.publicKey());
        assertThat(forged.chain().verified()).isFalse();
        assertThat(forged.chain().reason()).contains("signature");
    }

    @Test
    void exportFromTheMiddleStartsAtASignedCheckpoint() {
        appendLogins("acme", 12, 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        log.export("acme", 8, 12, out);

        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines[1]).contains("\"type\":\"checkpoint\"").contains("\"sequence\":5");
        ExportVerifier.Outcome outcome = ExportVerifier.verify(
                new BufferedReader(new StringReader(out.toString(StandardCharsets.UTF_8))), key.publicKey());
        assertThat(outcome.chain().verified()).isTrue();
        assertThat(outcome.chain().recordsChecked()).isEqualTo(7);
    }

    @Test
    void retentionDeletesOldRecordsAndTheChainStillVerifiesFromTheBoundary() {
        appendLogins("acme", 12, 0);

        long deleted = log.deleteReceivedBefore("acme", T0.plusSeconds(7).toEpochMilli());

        assertThat(deleted).isEqualTo(7);
        assertThat(log.record("acme", 7)).isEmpty();
        assertThat(log.byEventId("acme", "acme-e0")).isEmpty();
        assertThat(log.search(AuditQuery.allOf("acme", 50)).records()).hasSize(5);
        ChainVerifier.Result result = log.verify("acme", 1, Long.MAX_VALUE);
        assertThat(result.verified()).isTrue();
        assertThat(result.recordsChecked()).isEqualTo(5);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        log.export("acme", 1, Long.MAX_VALUE, out);
        assertThat(ExportVerifier.verify(new BufferedReader(new StringReader(out.toString(StandardCharsets.UTF_8))),
                key.publicKey()).chain().verified()).isTrue();
    }

    @Test
    void retentionRefusesToDeleteABrokenChain() throws Exception {
        appendLogins("acme", 6, 0);
        log.close();
        StoredBytes.rewrite(directory.resolve("db"), "acme", 2, "user-1", "user-7");
        log = open(5);

        assertThatThrownBy(() -> log.deleteReceivedBefore("acme", T0.plus(Duration.ofDays(1)).toEpochMilli()))
                .isInstanceOf(AuditStoreException.class).hasMessageContaining("sequence 2");
        assertThat(log.record("acme", 1)).isPresent();
    }

    @Test
    void verifyNamesTheSequenceWhoseStoredBytesWereAltered() throws Exception {
        appendLogins("acme", 12, 0);
        log.close();
        StoredBytes.rewrite(directory.resolve("db"), "acme", 9, "user-2", "user-0");
        log = open(5);

        ChainVerifier.Result result = log.verify("acme", 1, Long.MAX_VALUE);
        assertThat(result.verified()).isFalse();
        assertThat(result.firstBrokenSequence()).isEqualTo(9L);
        assertThat(result.reason()).contains("altered");
        assertThat(log.verify("acme", 1, 8).verified()).isTrue();
    }
}
