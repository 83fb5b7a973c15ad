package dev.eventbackbone.contracts.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.contracts.audit.PersonalSeal.PersonalFields;
import dev.eventbackbone.contracts.audit.PersonalSeal.SubjectKey;
import dev.eventbackbone.contracts.events.AuditActorType;
import dev.eventbackbone.contracts.events.AuditFlags;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditResource;
import dev.eventbackbone.contracts.events.AuditSealedFields;
import dev.eventbackbone.contracts.events.AuditSeverity;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PersonalSealTest {

    private static final SubjectKey KEY = PersonalSeal.newKey();

    @Test
    void sealingClearsThePlainFieldsAndTheKeyOpensThemAgain() {
        AuditRecord sealed = PersonalSeal.seal(record("e-1", "Ada Lovelace", "203.0.113.0"), KEY);

        assertThat(sealed.getActorName()).isNull();
        assertThat(sealed.getIp()).isNull();
        assertThat(sealed.getUserAgent()).isNull();
        assertThat(sealed.getActorId()).as("the subject's pseudonym stays: it is who did what").isEqualTo("u-1");
        assertThat(sealed.getSealed().getKeyId()).isEqualTo(KEY.keyId());
        assertThat(open(sealed, KEY.key())).isEqualTo(new PersonalFields("Ada Lovelace", null, "203.0.113.0", "curl/8"));
    }

    @Test
    void aRecordWithoutPersonalFieldsIsLeftAsItIs() {
        AuditRecord plain = AuditRecord.newBuilder(record("e-1", null, null)).setUserAgent(null).build();

        assertThat(PersonalSeal.seal(plain, KEY)).isSameAs(plain);
    }

    @Test
    void anotherKeyOrABlobMovedToAnotherRecordDoesNotOpen() {
        AuditRecord sealed = PersonalSeal.seal(record("e-1", "Ada", null), KEY);
        AuditSealedFields blob = sealed.getSealed();

        assertThatThrownBy(() -> open(sealed, PersonalSeal.newKey().key()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not open");
        assertThatThrownBy(() -> PersonalSeal.open(KEY.key(), "t1", "e-2", blob.getKeyId(), bytes(blob.getNonce()),
                bytes(blob.getCiphertext()))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everySealHasItsOwnNonce() {
        AuditRecord record = record("e-1", "Ada", null);

        assertThat(PersonalSeal.seal(record, KEY).getSealed().getNonce())
                .isNotEqualTo(PersonalSeal.seal(record, KEY).getSealed().getNonce());
    }

    @Test
    void thePlaintextIsCanonicalJsonWithEveryFieldInCodePointOrder() {
        assertThat(new String(new PersonalFields("A", null, "1.2.3.0", null).canonicalJson()))
                .isEqualTo("{\"actorEmailHash\":null,\"actorName\":\"A\",\"ip\":\"1.2.3.0\",\"userAgent\":null}");
    }

    private static PersonalFields open(AuditRecord sealed, byte[] key) {
        AuditSealedFields blob = sealed.getSealed();
        return PersonalSeal.open(key, sealed.getTenantId(), sealed.getEventId(), blob.getKeyId(), bytes(blob.getNonce()),
                bytes(blob.getCiphertext()));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static AuditRecord record(String eventId, String actorName, String ip) {
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        return AuditRecord.newBuilder().setEventId(eventId).setTenantId("t1").setSource("billing").setReceivedAt(at)
                .setOccurredAt(at).setAction("auth.login").setActionRaw("login").setOutcome(AuditOutcome.SUCCESS)
                .setSeverity(AuditSeverity.INFO).setActorType(AuditActorType.USER).setActorId("u-1")
                .setActorName(actorName).setIp(ip).setUserAgent("curl/8")
                .setResource(new AuditResource("session", "s-1", null)).setFlags(new AuditFlags(false, false, false))
                .build();
    }
}
