package dev.eventbackbone.processors.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.processors.audit.AuditSettings.IpMode;
import dev.eventbackbone.processors.audit.AuditSettings.PrivacyPolicy;
import org.junit.jupiter.api.Test;

class PersonalDataTest {

    @Test
    void truncatesIpv4ToItsSlash24AndIpv6ToItsSlash48() {
        assertThat(PersonalData.truncate("203.0.113.77")).isEqualTo("203.0.113.0");
        assertThat(PersonalData.truncate("2001:DB8:85a3:8d3::7348")).isEqualTo("2001:db8:85a3::");
        assertThat(PersonalData.truncate("::ffff:198.51.100.9")).isEqualTo("198.51.100.0");
    }

    @Test
    void dropsWhatIsNoAddressLiteralWithoutLookingItUp() {
        assertThat(PersonalData.truncate("256.1.1.1")).isNull();
        assertThat(PersonalData.truncate("example.com")).isNull();
        assertThat(PersonalData.truncate("1:2")).isNull();
    }

    @Test
    void hashesEverySpellingOfOneAddressAlike() {
        PersonalData hashing = new PersonalData(privacy(IpMode.HASH, "key"));

        assertThat(hashing.ip("acme", "2001:db8::1")).startsWith("hmac-sha256:").hasSize(12 + 64)
                .isEqualTo(hashing.ip("acme", "2001:0db8:0:0::1"));
        assertThat(new PersonalData(privacy(IpMode.HASH, "other")).ip("acme", "2001:db8::1"))
                .isNotEqualTo(hashing.ip("acme", "2001:db8::1"));
    }

    @Test
    void refusesATenantPolicyThatHashesWithoutAKey() {
        AuditSettings.Privacy privacy = privacy(IpMode.KEEP, null);
        privacy.getTenants().put("globex", privacy(IpMode.HASH, " ").getDefaults());

        assertThatThrownBy(() -> new PersonalData(privacy)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("audit.privacy.tenants.globex.ipHashKey");
    }

    @Test
    void hashesTheTrimmedLowerCasedEmail() {
        assertThat(PersonalData.emailHash(" Ann@Example.com")).isEqualTo(PersonalData.emailHash("ann@example.com"))
                .hasSize(64).matches("[0-9a-f]+");
        assertThat(PersonalData.emailHash(" ")).isNull();
    }

    private static AuditSettings.Privacy privacy(IpMode mode, String key) {
        PrivacyPolicy policy = new PrivacyPolicy();
        policy.setIp(mode);
        policy.setIpHashKey(key);
        AuditSettings.Privacy privacy = new AuditSettings.Privacy();
        privacy.setDefaults(policy);
        return privacy;
    }
}
