package dev.eventbackbone.audit.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.audit.AuditRecords;
import dev.eventbackbone.contracts.audit.PersonalSeal;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

    @Test
    void streamedEncodingEqualsTheSortedTreeEncodingAndSurvivesAParseRoundTrip() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("zeta", "last");
        metadata.put("Alpha", "upper case sorts first");
        metadata.put("émoji", "\uD83D\uDE80 \"quoted\" \\ back\\slash \n newline \u0001 control");
        AuditRecord record = AuditRecords.record("acme", "e-1", "alice", "file.delete", AuditOutcome.DENIED, "doc-ü",
                Instant.parse("2026-11-30T10:00:00Z"));
        record.setMetadata(metadata);
        record.setActorEmailHash(null);
        record.setTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        byte[] streamed = CanonicalJson.encode(record);

        assertThat(new String(streamed, StandardCharsets.UTF_8))
                .isEqualTo(new String(CanonicalJson.encode(CanonicalJson.tree(record)), StandardCharsets.UTF_8));
        assertThat(CanonicalJson.encode(CanonicalJson.parse(streamed))).isEqualTo(streamed);
        assertThat(new String(streamed, StandardCharsets.UTF_8))
                .startsWith("{\"action\":\"file.delete\",\"actionRaw\":\"file.delete\",\"actorEmailHash\":null,")
                .contains("\"metadata\":{\"Alpha\":");
    }

    @Test
    void keysAreSortedByCodePointAsPythonsSortKeysDoesNotByUtf16Units() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("\uD83D\uDE80", "above U+FFFF");
        metadata.put("\uFFFD", "just below");
        AuditRecord record = AuditRecords.record("acme", "e-1", "alice", "file.delete", AuditOutcome.DENIED, "doc",
                Instant.parse("2026-11-30T10:00:00Z"));
        record.setMetadata(metadata);

        String streamed = new String(CanonicalJson.encode(record), StandardCharsets.UTF_8);

        assertThat(streamed).contains("\"metadata\":{\"\uFFFD\":\"just below\",\"\uD83D\uDE80\":\"above U+FFFF\"}");
        assertThat(CanonicalJson.encode(CanonicalJson.parse(streamed.getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(streamed.getBytes(StandardCharsets.UTF_8));
        assertThat(CanonicalJson.encode(CanonicalJson.tree(record))).isEqualTo(streamed.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void sealedFieldsAppearOnlyWhenSetSoUnsealedRecordsKeepTheirBytes() {
        AuditRecord record = AuditRecords.record("acme", "e-1", "alice", "file.delete", AuditOutcome.DENIED, "doc",
                Instant.parse("2026-11-30T10:00:00Z"));
        String unsealed = new String(CanonicalJson.encode(record), StandardCharsets.UTF_8);

        AuditRecord sealed = PersonalSeal.seal(record, PersonalSeal.newKey());
        byte[] streamed = CanonicalJson.encode(sealed);

        assertThat(unsealed).doesNotContain("sealed");
        assertThat(streamed).isEqualTo(CanonicalJson.encode(CanonicalJson.tree(sealed)));
        assertThat(CanonicalJson.encode(CanonicalJson.parse(streamed))).isEqualTo(streamed);
        assertThat(new String(streamed, StandardCharsets.UTF_8)).containsPattern(
                "\\},\"sealed\":\\{\"ciphertext\":\"[A-Za-z0-9+/=]+\",\"keyId\":\"[0-9a-f]{32}\",\"nonce\":\"[A-Za-z0-9+/=]{16}\"},\"severity\"");
    }
}
