package dev.eventbackbone.processors.audit;

import dev.eventbackbone.processors.audit.AuditSettings.PrivacyPolicy;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Minimizes personal data by the tenant's privacy policy before anything reaches the audit log. */
final class PersonalData {

    /** What an e-mail-shaped actor id becomes: this prefix and {@link #emailHash} of the address. */
    static final String HASHED_EMAIL_ID_PREFIX = "email-sha256:";
    private static final String HMAC = "HmacSHA256";
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final AuditSettings.Privacy privacy;

    /** @throws IllegalArgumentException when a HASH policy has no key: hashing without a secret is reversible. */
    PersonalData(AuditSettings.Privacy privacy) {
        check("default", privacy.getDefaults());
        privacy.getTenants().forEach(PersonalData::check);
        this.privacy = privacy;
    }

    /** The ip as the tenant's policy allows it to be kept; null when absent, or not an address under TRUNCATE. */
    String ip(String tenant, String ip) {
        if (ip == null || ip.isBlank()) {
            return null;
        }
        PrivacyPolicy policy = privacy.policyOf(tenant);
        return switch (policy.getIp()) {
            case KEEP -> ip;
            case TRUNCATE -> truncate(ip.trim());
            case HASH -> hash(policy.getIpHashKey(), ip.trim());
        };
    }

    /** Lower-case hex SHA-256 of the trimmed, lower-cased address, as AuditRecord.actorEmailHash documents. */
    static String emailHash(String email) {
        if (email == null || email.isBlank()) {
            return null;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(email.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** IPv4 to its /24, IPv6 to its /48; text that is no address is dropped rather than kept in full. */
    static String truncate(String ip) {
        InetAddress address = parse(ip);
        if (address == null) {
            return null;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + ".0";
        }
        return String.format("%x:%x:%x::", hextet(bytes, 0), hextet(bytes, 2), hextet(bytes, 4));
    }

    private static String hash(String key, String ip) {
        InetAddress address = parse(ip);
        // The canonical text, so every spelling of one address ("::1", "0:0::1") hashes alike.
        String text = address == null ? ip : address.getHostAddress();
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), HMAC));
            return "hmac-sha256:" + HEX.formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable in this JVM", e);
        }
    }

    /**
     * An address literal, or null. Never lets InetAddress see text it might take for a host name:
     * it would resolve it through DNS, sending the (personal) value out and blocking the stream thread.
     */
    private static InetAddress parse(String ip) {
        try {
            if (IPV4.matcher(ip).matches()) {
                String[] parts = ip.split("\\.");
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int part = Integer.parseInt(parts[i]);
                    if (part > 255) {
                        return null;
                    }
                    bytes[i] = (byte) part;
                }
                return InetAddress.getByAddress(bytes);
            }
            // Brackets make InetAddress parse an IPv6 literal or fail, never look the text up.
            return ip.indexOf(':') < 0 ? null : InetAddress.getByName("[" + ip + "]");
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    private static int hextet(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xff) << 8) | (bytes[offset + 1] & 0xff);
    }

    private static void check(String tenant, PrivacyPolicy policy) {
        if (policy.getIp() == AuditSettings.IpMode.HASH
                && (policy.getIpHashKey() == null || policy.getIpHashKey().isBlank())) {
            throw new IllegalArgumentException("Privacy policy '" + tenant + "' hashes IP addresses but has no"
                    + " ipHashKey: set audit.privacy." + ("default".equals(tenant) ? "default" : "tenants." + tenant)
                    + ".ipHashKey to a secret (e.g. from an environment variable).");
        }
    }
}
