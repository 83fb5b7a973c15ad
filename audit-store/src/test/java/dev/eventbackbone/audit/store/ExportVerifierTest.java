package dev.eventbackbone.audit.store;

import static dev.eventbackbone.audit.AuditRecords.login;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.audit.evidence.CanonicalJson;
import dev.eventbackbone.audit.evidence.ExportVerifier;
import dev.eventbackbone.audit.evidence.KeyEndorsement;
import dev.eventbackbone.audit.evidence.KeyHistory;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.evidence.SigningKey;
import dev.eventbackbone.audit.merkle.CompactRange;
import dev.eventbackbone.audit.merkle.TreeHash;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
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

/** An auditor's offline check of an export: honest ones verify, every kind of forgery is named. */
class ExportVerifierTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final TopicPartition P0 = new TopicPartition("audit.events", 0);

    @TempDir
    Path directory;

    private SigningKey key;
    private AuditLog log;
    private SignedTreeHead headAt5;
    private SignedTreeHead headAt12;

    @BeforeEach
    void twelveLeavesWithHeadsAtFiveAndTwelve() {
        key = SigningKey.generate(directory.resolve("key.pem"));
        log = open(key, KeyHistory.none(), T0.plusSeconds(60));
        append(0, 5);
        headAt5 = log.heads().signNow("acme");
        append(5, 7);
        headAt12 = log.heads().signNow("acme");
    }

    @AfterEach
    void close() {
        log.close();
    }

    private AuditLog open(SigningKey signingKey, KeyHistory history, Instant now) {
        return AuditLog.open(directory.resolve("db"), signingKey, history, Clock.fixed(now, ZoneOffset.UTC), false,
                head -> {
                });
    }

    private void append(int first, int count) {
        List<PreparedLeaf> batch = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            batch.add(PreparedLeaf.of(login("acme", "acme-e" + i, "user-" + (i % 3), T0.plusSeconds(i))));
        }
        log.appender().append(batch, Map.of(P0, (long) first + count));
    }

    private String export(long from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        log.exporter().export("acme", from, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static ExportVerifier.Outcome verify(String export, PublicKey trusted, SignedTreeHead held) {
        return ExportVerifier.verify(new BufferedReader(new StringReader(export)), trusted, held);
    }

    private ExportVerifier.Outcome verify(String export) {
        return verify(export, key.publicKey(), null);
    }

    /** The export's lines, with the leaf lines editable. */
    private static List<String> lines(String export) {
        return new ArrayList<>(export.lines().toList());
    }

    private static int lineOfLeaf(List<String> lines, long index) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"type\":\"leaf\"") && lines.get(i).startsWith("{\"index\":" + index + ",")) {
                return i;
            }
        }
        throw new AssertionError("no leaf " + index);
    }

    private static String join(List<String> lines) {
        return String.join("\n", lines) + "\n";
    }

    /** A leaf line with new content whose leaf hash is recomputed, as a forger who knows the format writes it. */
    private static String rewrittenLeaf(String line, long index, String from, String to) {
        ObjectNode node = CanonicalJson.parse(line.getBytes(StandardCharsets.UTF_8));
        ObjectNode leaf = CanonicalJson.parse(new String(CanonicalJson.encode(node.get("leaf")), StandardCharsets.UTF_8)
                .replace(from, to).getBytes(StandardCharsets.UTF_8));
        node.set("leaf", leaf);
        node.put("index", index);
        node.put("leafHash", TreeHash.hex(TreeHash.leaf(CanonicalJson.encode(leaf))));
        return new String(CanonicalJson.encode(node), StandardCharsets.UTF_8);
    }

    @Test
    void anHonestExportVerifiesWithEveryLeafCoveredBySignedHeads() {
        ExportVerifier.Outcome outcome = verify(export(0));

        assertThat(outcome.verified()).as(outcome.reason()).isTrue();
        assertThat(outcome.treeSize()).isEqualTo(12);
        assertThat(outcome.leavesChecked()).isEqualTo(12);
        assertThat(outcome.headsChecked()).isGreaterThanOrEqualTo(2);
        assertThat(outcome.rootHash()).isEqualTo(headAt12.rootHash());
        assertThat(verify(export(0), key.publicKey(), headAt5).verified()).isTrue();
    }

    @Test
    void anAlteredLeafIsNamed() {
        List<String> lines = lines(export(0));
        int line = lineOfLeaf(lines, 7);
        lines.set(line, lines.get(line).replace("\"actorId\":\"user-1\"", "\"actorId\":\"user-9\""));

        ExportVerifier.Outcome outcome = verify(join(lines));

        assertThat(outcome.verified()).isFalse();
        assertThat(outcome.firstBadIndex()).isEqualTo(7L);
        assertThat(outcome.reason()).contains("altered");
    }

    @Test
    void anAlteredLeafWithItsHashRecomputedIsCaughtByTheNextSignedHead() {
        List<String> lines = lines(export(0));
        int line = lineOfLeaf(lines, 7);
        lines.set(line, rewrittenLeaf(lines.get(line), 7, "user-1", "user-9"));

        ExportVerifier.Outcome outcome = verify(join(lines));

        assertThat(outcome.verified()).isFalse();
        assertThat(outcome.firstBadIndex()).as("the first leaf after the last head that held").isEqualTo(5L);
        assertThat(outcome.reason()).contains("from 5 to 11", "do not match the head");
    }

    @Test
    void aRemovedLeafIsNamed() {
        List<String> lines = lines(export(0));
        lines.remove(lineOfLeaf(lines, 7));

        ExportVerifier.Outcome outcome = verify(join(lines));

        assertThat(outcome.firstBadIndex()).isEqualTo(7L);
        assertThat(outcome.reason()).contains("leaf 7 is missing");
    }

    @Test
    void reorderedLeavesAreCaughtWithOrWithoutRenumbering() {
        List<String> swapped = lines(export(0));
        int third = lineOfLeaf(swapped, 3);
        int fourth = lineOfLeaf(swapped, 4);
        String line3 = swapped.get(third);
        swapped.set(third, swapped.get(fourth));
        swapped.set(fourth, line3);
        assertThat(verify(join(swapped)).firstBadIndex()).isEqualTo(3L);

        swapped.set(third, rewrittenLeaf(swapped.get(third), 3, "", ""));
        swapped.set(fourth, rewrittenLeaf(swapped.get(fourth), 4, "", ""));
        ExportVerifier.Outcome renumbered = verify(join(swapped));
        assertThat(renumbered.verified()).isFalse();
        assertThat(renumbered.firstBadIndex()).isZero();
        assertThat(renumbered.reason()).contains("do not match the head");
    }

    @Test
    void anAddedLeafIsCaught() {
        List<String> lines = lines(export(0));
        int line = lineOfLeaf(lines, 11);
        lines.add(line + 1, rewrittenLeaf(lines.get(line), 12, "acme-e11", "acme-e12"));

        ExportVerifier.Outcome outcome = verify(join(lines));

        assertThat(outcome.verified()).isFalse();
        assertThat(outcome.reason()).contains("leaves were added");
    }

    @Test
    void aLogRewrittenAndRehashedWithoutSignedHeadsDoesNotVerify() {
        List<String> forged = new ArrayList<>();
        for (String line : lines(export(0))) {
            if (line.contains("\"type\":\"head\"")) {
                continue;
            }
            forged.add(line.contains("\"type\":\"leaf\"") ? rewrittenLeaf(line,
                    CanonicalJson.parse(line.getBytes(StandardCharsets.UTF_8)).path("index").asLong(), "user-", "eve-")
                    : line);
        }

        ExportVerifier.Outcome outcome = verify(join(forged));

        assertThat(outcome.verified()).isFalse();
        assertThat(outcome.firstBadIndex()).isZero();
        assertThat(outcome.reason()).contains("not covered by any head signed by a trusted key");
    }

    @Test
    void headsResignedWithTheForgersOwnKeyAreNotTrusted() {
        SigningKey forger = SigningKey.generate(directory.resolve("forger.pem"));
        List<String> forged = new ArrayList<>();
        CompactRange tree = CompactRange.empty();
        for (String line : lines(export(0))) {
            if (line.contains("\"type\":\"leaf\"")) {
                String rewritten = rewrittenLeaf(line, CanonicalJson.parse(line.getBytes(StandardCharsets.UTF_8))
                        .path("index").asLong(), "user-", "eve-");
                tree.append(TreeHash.fromHex(CanonicalJson.parse(rewritten.getBytes(StandardCharsets.UTF_8))
                        .path("leafHash").asText()), (level, index, hash) -> {
                        });
                forged.add(rewritten);
            } else if (line.contains("\"type\":\"head\"")) {
                SignedTreeHead head = SignedTreeHead.sign("acme", tree.size(), TreeHash.hex(tree.root()), 1L, forger);
                Map<String, Object> fields = new java.util.LinkedHashMap<>(head.toMap());
                fields.put("type", "head");
                forged.add(new String(CanonicalJson.encode(fields), StandardCharsets.UTF_8));
            } else {
                forged.add(line);
            }
        }

        assertThat(verify(join(forged), forger.publicKey(), null).verified()).as("consistent in itself").isTrue();
        ExportVerifier.Outcome outcome = verify(join(forged));
        assertThat(outcome.verified()).isFalse();
        assertThat(outcome.reason()).contains("neither the trusted key nor one it endorsed");
    }

    @Test
    void anExportCutAtAHeadBoundaryIsCaughtByAHeadHeldSeparately() {
        List<String> lines = lines(export(0));
        int afterHeadAt5 = lineOfLeaf(lines, 5);
        String cut = join(lines.subList(0, afterHeadAt5));

        assertThat(verify(cut).verified()).as("a prefix of a log is a valid log").isTrue();
        ExportVerifier.Outcome outcome = verify(cut, key.publicKey(), headAt12);
        assertThat(outcome.verified()).isFalse();
        assertThat(outcome.reason()).contains("cut from the end");
    }

    @Test
    void anExportFromTheMiddleVerifiesFromTheTreesEdge() {
        String middle = export(6);

        ExportVerifier.Outcome outcome = verify(middle);

        assertThat(outcome.verified()).as(outcome.reason()).isTrue();
        assertThat(outcome.leavesChecked()).isEqualTo(6);
        assertThat(outcome.rootHash()).isEqualTo(headAt12.rootHash());
    }

    @Test
    void anotherTrustedKeyRejectsTheExport() {
        SigningKey other = SigningKey.generate(directory.resolve("other.pem"));

        ExportVerifier.Outcome outcome = verify(export(0), other.publicKey(), null);

        assertThat(outcome.verified()).isFalse();
        assertThat(outcome.reason()).contains("neither the trusted key");
    }

    @Test
    void aRotatedKeyIsTrustedThroughItsEndorsementAndTheRetiredKeyIsNotAfterItsRetirement() {
        log.close();
        SigningKey next = SigningKey.generate(directory.resolve("next.pem"));
        long retiredAt = T0.plusSeconds(100).toEpochMilli();
        KeyHistory history = new KeyHistory(List.of(KeyEndorsement.endorse(key, next.publicKey(), retiredAt)));
        log = open(next, history, T0.plusSeconds(200));
        append(12, 3);
        SignedTreeHead byNextKey = log.heads().signNow("acme");
        String export = export(0);

        ExportVerifier.Outcome outcome = verify(export, key.publicKey(), null);
        assertThat(outcome.verified()).as(outcome.reason()).isTrue();
        assertThat(outcome.treeSize()).isEqualTo(15);
        assertThat(byNextKey.keyId()).isEqualTo(next.keyId());
        assertThat(log.verification().verify("acme").verified()).isTrue();

        SignedTreeHead lateOldHead = SignedTreeHead.sign("acme", 15, byNextKey.rootHash(), retiredAt + 1, key);
        Map<String, Object> fields = new java.util.LinkedHashMap<>(lateOldHead.toMap());
        fields.put("type", "head");
        String withLateHead = export + new String(CanonicalJson.encode(fields), StandardCharsets.UTF_8) + "\n";
        ExportVerifier.Outcome late = verify(withLateHead, key.publicKey(), null);
        assertThat(late.verified()).isFalse();
        assertThat(late.reason()).contains("after that key was retired");
    }
}
