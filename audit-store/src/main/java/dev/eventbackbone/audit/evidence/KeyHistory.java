package dev.eventbackbone.audit.evidence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys that have signed a log, oldest first: the first key, then one {@link KeyEndorsement}
 * per rotation, kept as JSON Lines beside the signing key. It answers which keys to trust, starting
 * from one trusted key, and until when each was allowed to sign.
 */
public final class KeyHistory {

    /** A key and, once rotated away, the time from which its successor signs instead. */
    public record Entry(String keyId, PublicKey publicKey, String publicKeyPem, Long retiredAt) {
    }

    private final List<KeyEndorsement> endorsements;

    public KeyHistory(List<KeyEndorsement> endorsements) {
        this.endorsements = List.copyOf(endorsements);
    }

    public static KeyHistory none() {
        return new KeyHistory(List.of());
    }

    /** Reads a history file; a missing file is a history without rotations. */
    public static KeyHistory read(Path file) {
        if (file == null || !Files.exists(file)) {
            return none();
        }
        try {
            List<KeyEndorsement> endorsements = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    endorsements.add(KeyEndorsement.fromJson(CanonicalJson.parse(line.getBytes(StandardCharsets.UTF_8))));
                }
            }
            return new KeyHistory(endorsements);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the key history " + file, e);
        }
    }

    /** Appends one rotation step to a history file. */
    public static void append(Path file, KeyEndorsement endorsement) {
        try {
            Files.write(file, (new String(CanonicalJson.encode(endorsement.toMap()), StandardCharsets.UTF_8) + "\n")
                            .getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the key history " + file, e);
        }
    }

    public List<KeyEndorsement> endorsements() {
        return endorsements;
    }

    /**
     * Every key reachable from {@code trusted} through valid endorsements, by key id, each with the
     * time it was retired (null while current). An endorsement that does not verify is not followed.
     */
    public Map<String, Entry> trustedFrom(PublicKey trusted) {
        Map<String, Entry> keys = new LinkedHashMap<>();
        String trustedId = SigningKey.keyId(trusted);
        keys.put(trustedId, new Entry(trustedId, trusted, SigningKey.publicKeyPem(trusted), null));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (KeyEndorsement step : endorsements) {
                Entry previous = keys.get(step.previousKeyId());
                if (previous != null && !keys.containsKey(step.keyId()) && step.valid()) {
                    keys.put(previous.keyId(), new Entry(previous.keyId(), previous.publicKey(), previous.publicKeyPem(),
                            step.validFrom()));
                    PublicKey next = SigningKey.parsePublicPem(step.publicKeyPem());
                    keys.put(step.keyId(), new Entry(step.keyId(), next, step.publicKeyPem(), null));
                    grew = true;
                }
            }
        }
        return keys;
    }

    /** The whole history as the store publishes it: the first key, then each endorsed one. */
    public List<Map<String, Object>> describe(SigningKey current) {
        List<Map<String, Object>> keys = new ArrayList<>();
        if (endorsements.isEmpty()) {
            keys.add(describe(current.keyId(), current.publicKeyPem(), null, null, null));
            return keys;
        }
        KeyEndorsement first = endorsements.get(0);
        keys.add(describe(first.previousKeyId(), first.previousPublicKeyPem(), null, null, first.validFrom()));
        for (int i = 0; i < endorsements.size(); i++) {
            KeyEndorsement step = endorsements.get(i);
            Long retiredAt = i + 1 < endorsements.size() ? endorsements.get(i + 1).validFrom() : null;
            keys.add(describe(step.keyId(), step.publicKeyPem(), step, step.validFrom(), retiredAt));
        }
        return keys;
    }

    private static Map<String, Object> describe(String keyId, String pem, KeyEndorsement endorsement, Long validFrom,
                                                Long retiredAt) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("keyId", keyId);
        key.put("algorithm", SigningKey.ALGORITHM);
        key.put("publicKeyPem", pem);
        key.put("validFrom", validFrom);
        key.put("retiredAt", retiredAt);
        key.put("endorsement", endorsement == null ? null : endorsement.toMap());
        return key;
    }

    /** The key that must sign now: the last one endorsed, or the only one. */
    public Optional<String> currentKeyId() {
        return endorsements.isEmpty() ? Optional.empty()
                : Optional.of(endorsements.get(endorsements.size() - 1).keyId());
    }
}
