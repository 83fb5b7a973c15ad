package dev.eventbackbone.audit.store;

import static dev.eventbackbone.audit.AuditRecords.login;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.audit.evidence.ExportVerifier;
import dev.eventbackbone.audit.evidence.KeyHistory;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.evidence.SigningKey;
import dev.eventbackbone.contracts.audit.PersonalSeal.SubjectKey;
import dev.eventbackbone.contracts.audit.PersonalSeal;
import dev.eventbackbone.contracts.events.AuditActorType;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditResource;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealed personal fields in the log: opened on read, erased by destroying the key, every proof intact. */
class ErasureTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final TopicPartition P0 = new TopicPartition("audit.events", 0);
    private static final SubjectKey ALICE = PersonalSeal.newKey();

    @TempDir
    Path directory;

    private SigningKey signingKey;
    private AuditLog log;
    private long offset;

    @BeforeEach
    void threeSealedLoginsOfAliceAndOneOfAServiceWithoutPersonalFields() {
        signingKey = SigningKey.generate(directory.resolve("key.pem"));
        log = AuditLog.open(directory.resolve("db"), signingKey, KeyHistory.none(),
                Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC), false, head -> {
                });
        log.keyring().keep(ALICE.keyId(), "acme", ALICE.key());
        for (int i = 0; i < 3; i++) {
            append(PersonalSeal.seal(login("acme", "e" + i, "alice", T0.plusSeconds(i)), ALICE));
        }
        AuditRecord service = login("acme", "e3", "svc:billing", T0.plusSeconds(3));
        service.setIp(null);
        service.setUserAgent(null);
        append(service);
    }

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    void sealedFieldsOpenOnReadAndTheExportHandsAnAuditorTheKeyToCheckThem() {
        StoredLeaf leaf = log.searcher().leaf("acme", 0).orElseThrow();

        assertThat(leaf.sealed()).isTrue();
        assertThat(new String(leaf.canonicalJson(), StandardCharsets.UTF_8)).doesNotContain("203.0.113.0");
        assertThat(log.keyring().personalOf("acme", leaf.content()))
                .isInstanceOfSatisfying(SubjectKeyring.Readable.class, readable ->
                        assertThat(readable.fields().ip()).isEqualTo("203.0.113.0"));
        assertThat(log.searcher().leaf("acme", 3).orElseThrow().sealed()).isFalse();
        String export = export();
        assertThat(export).contains("\"state\":\"readable\"", "\"subjectKey\":\"");
        ExportVerifier.Outcome outcome = verify(export, null);
        assertThat(outcome.verified()).as(outcome.reason()).isTrue();
        assertThat(outcome.leavesErased()).isZero();
    }

    @Test
    void theErasureRecordDestroysTheKeyAndEveryLeafHashAndHeadStillHolds() {
        SignedTreeHead before = log.heads().signNow("acme");
        byte[] firstLeafHash = log.searcher().leaf("acme", 0).orElseThrow().leafHash();

        append(erasureRecord("acme", ALICE.keyId()));

        StoredLeaf leaf = log.searcher().leaf("acme", 0).orElseThrow();
        assertThat(leaf.leafHash()).isEqualTo(firstLeafHash);
        assertThat(log.keyring().personalOf("acme", leaf.content()))
                .isEqualTo(new SubjectKeyring.Erased(ALICE.keyId(), T0.plusSeconds(30).toEpochMilli(), 4));
        String export = export();
        assertThat(export).doesNotContain("203.0.113.0", "subjectKey").contains("\"state\":\"erased\"");
        ExportVerifier.Outcome outcome = verify(export, before);
        assertThat(outcome.verified()).as(outcome.reason()).isTrue();
        assertThat(outcome.treeSize()).isEqualTo(5);
        assertThat(outcome.leavesErased()).isEqualTo(3);
        Verification.Result verification = log.verification().verify("acme");
        assertThat(verification.verified()).as(verification.reason()).isTrue();
    }

    @Test
    void aKeyReadLateFromTheTopicDoesNotUndoAnErasure() {
        append(erasureRecord("acme", ALICE.keyId()));

        log.keyring().keep(ALICE.keyId(), "acme", ALICE.key());

        assertThat(log.keyring().personalOf("acme", log.searcher().leaf("acme", 0).orElseThrow().content()))
                .isInstanceOf(SubjectKeyring.Erased.class);
    }

    @Test
    void aKeyOrAnErasureOfAnotherTenantChangesNothingHere() {
        SubjectKey bob = PersonalSeal.newKey();
        log.keyring().keep(bob.keyId(), "globex", bob.key());
        append(PersonalSeal.seal(login("acme", "e4", "bob", T0.plusSeconds(4)), bob));
        append(erasureRecord("globex", ALICE.keyId()));

        assertThat(log.keyring().personalOf("acme", log.searcher().leaf("acme", 4).orElseThrow().content()))
                .isEqualTo(new SubjectKeyring.KeyUnavailable(bob.keyId()));
        assertThat(log.keyring().personalOf("acme", log.searcher().leaf("acme", 0).orElseThrow().content()))
                .isInstanceOf(SubjectKeyring.Readable.class);
    }

    @Test
    void personalFieldsAlteredInAnExportAreCaught() {
        String forged = export().replaceFirst("\"ip\":\"203.0.113.0\"", "\"ip\":\"198.51.100.1\"");

        ExportVerifier.Outcome outcome = verify(forged, null);

        assertThat(outcome.verified()).isFalse();
        assertThat(outcome.firstBadIndex()).isZero();
        assertThat(outcome.reason()).contains("differ from what is sealed");
    }

    @Test
    void anErasureClaimedWithoutItsRecordIsCaught() {
        String export = export();
        String readable = export.substring(export.indexOf("\"personal\":{"), export.indexOf(",\"storedAt\""));
        String forged = export.replaceFirst(Pattern.quote(readable), "\"personal\":{\"erasedAt\":1,"
                + "\"erasureIndex\":3,\"keyId\":\"" + ALICE.keyId() + "\",\"state\":\"erased\"}");

        ExportVerifier.Outcome outcome = verify(forged, null);

        assertThat(outcome.verified()).isFalse();
        assertThat(outcome.reason()).contains("no record of the erasure");
    }

    @Test
    void anErasureClaimThatNamesNoErasureLeafOrNoneAtAllIsCaught() {
        append(erasureRecord("acme", ALICE.keyId()));
        String export = export();
        String claim = "\"erasureIndex\":4,";

        for (String forged : List.of(export.replace(claim, ""), export.replace(claim, "\"erasureIndex\":99,"),
                export.replace(claim, "\"erasureIndex\":0,"))) {
            ExportVerifier.Outcome outcome = verify(forged, null);
            assertThat(outcome.verified()).as(forged).isFalse();
            assertThat(outcome.reason()).contains("no record of the erasure");
        }
        assertThat(verify(export, null).verified()).isTrue();
    }

    @Test
    void aKeyReadFromTheTopicIsForgottenOnItsTombstone() {
        log.keyring().forget(ALICE.keyId());
        log.keyring().compact();

        assertThat(log.keyring().personalOf("acme", log.searcher().leaf("acme", 0).orElseThrow().content()))
                .isEqualTo(new SubjectKeyring.KeyUnavailable(ALICE.keyId()));
    }

    private void append(AuditRecord record) {
        log.appender().append(List.of(PreparedLeaf.of(record)), Map.of(P0, ++offset));
    }

    /** What the normalizer writes when it destroys a key. */
    private static AuditRecord erasureRecord(String tenant, String keyId) {
        AuditRecord record = login(tenant, "erasure:r1:" + keyId, "key-dpo", T0.plusSeconds(30));
        record.setAction(PersonalSeal.ERASED_ACTION);
        record.setActionRaw(PersonalSeal.ERASED_ACTION);
        record.setSource(PersonalSeal.NORMALIZER_SOURCE);
        record.setActorType(AuditActorType.API_KEY);
        record.setResource(new AuditResource("subject", "alice", null));
        record.setIp(null);
        record.setUserAgent(null);
        record.setMetadata(Map.of("keyId", keyId, "requestId", "r1"));
        return record;
    }

    private String export() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        log.exporter().export("acme", 0, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private ExportVerifier.Outcome verify(String export, SignedTreeHead held) {
        return ExportVerifier.verify(new BufferedReader(new StringReader(export)), signingKey.publicKey(), held);
    }
}
