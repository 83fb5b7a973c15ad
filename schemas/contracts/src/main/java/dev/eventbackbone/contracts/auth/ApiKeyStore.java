package dev.eventbackbone.contracts.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backbone's API keys, kept in a YAML file that holds only SHA-256 hashes. Looking a key up
 * compares its hash with every stored hash in constant time, so timing tells nothing about how
 * close a guess was. {@link #reloadIfChanged()} picks up keys added while a service runs.
 */
public final class ApiKeyStore {

    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyStore.class);
    private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern SCOPE = Pattern.compile("(ingest:[a-z*]+|read:[a-z*]+|erase:audit|admin)");
    private static final String KEY_PREFIX = "ebk_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The file's shape: {@code keys: [...]}. */
    record KeysFile(@JsonProperty("keys") List<ApiKey> keys) {
        KeysFile {
            keys = keys == null ? List.of() : List.copyOf(keys);
        }
    }

    /** A key just created: the secret, shown once, and what the file keeps of it. */
    public record CreatedKey(String secret, ApiKey key) {
    }

    private final Path file;
    private volatile Snapshot snapshot;

    /**
     * The keys of one version of the file. {@code bySecret} remembers secrets that matched, so a
     * caller's next request skips the hashing; only matches enter it, so it holds at most one
     * entry per key, and a reloaded file starts a new one.
     */
    private record Snapshot(FileTime modified, long size, List<ApiKey> keys, List<byte[]> hashes,
                            Map<String, ApiKey> bySecret) {
        Snapshot(FileTime modified, long size, List<ApiKey> keys, List<byte[]> hashes) {
            this(modified, size, keys, hashes, new ConcurrentHashMap<>());
        }
    }

    private ApiKeyStore(Path file) {
        this.file = file;
        this.snapshot = read(file);
    }

    /** Loads the keys file; a missing file means no keys (every request is then answered 401). */
    public static ApiKeyStore open(Path file) {
        return new ApiKeyStore(file);
    }

    public Path file() {
        return file;
    }

    public int size() {
        return snapshot.keys().size();
    }

    /** The stored key whose hash matches the presented secret. */
    public Optional<ApiKey> authenticate(String presentedSecret) {
        Snapshot current = snapshot;
        ApiKey known = current.bySecret().get(presentedSecret);
        if (known != null) {
            return Optional.of(known);
        }
        byte[] presented = sha256(presentedSecret);
        ApiKey match = null;
        for (int i = 0; i < current.hashes().size(); i++) {
            // No early exit: every stored hash is compared, each in constant time.
            if (MessageDigest.isEqual(presented, current.hashes().get(i))) {
                match = current.keys().get(i);
            }
        }
        if (match != null) {
            current.bySecret().put(presentedSecret, match);
        }
        return Optional.ofNullable(match);
    }

    /**
     * The secret of an {@code Authorization: Bearer <api key>} header (scheme case-insensitive);
     * empty when the header is absent or names another scheme.
     */
    public static Optional<String> bearerSecret(String authorizationHeader) {
        String scheme = "bearer ";
        if (authorizationHeader == null || authorizationHeader.length() <= scheme.length()
                || !authorizationHeader.regionMatches(true, 0, scheme, 0, scheme.length())) {
            return Optional.empty();
        }
        String secret = authorizationHeader.substring(scheme.length()).trim();
        return secret.isEmpty() ? Optional.empty() : Optional.of(secret);
    }

    /**
     * Checks the file for changes at a fixed interval on the executor, so keys created while a
     * service runs work within that interval. A broken file is logged and the keys loaded before stay.
     */
    public void reloadEvery(ScheduledExecutorService executor, Duration interval) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                if (reloadIfChanged()) {
                    LOG.info("API keys reloaded from {}: {} key(s)", file, size());
                }
            } catch (RuntimeException e) {
                LOG.error("API keys file {} could not be reloaded; keeping the keys loaded before: {}",
                        file, e.getMessage());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Re-reads the file when its modification time or size changed; a broken file keeps the old keys. */
    public boolean reloadIfChanged() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            Snapshot current = snapshot;
            if (modified.equals(current.modified()) && size == current.size()) {
                return false;
            }
        } catch (NoSuchFileException e) {
            if (snapshot.keys().isEmpty()) {
                return false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read API keys file " + file, e);
        }
        snapshot = read(file);
        return true;
    }

    /**
     * Creates a key for a tenant, appends its hash to the keys file (written atomically, readable by
     * its owner only) and returns the secret, which exists nowhere else afterwards.
     */
    public static CreatedKey create(Path file, String tenant, List<String> scopes, String source) {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("tenant '" + tenant + "' is not valid: use 1-63 lowercase letters,"
                    + " digits, '-' or '_', starting with a letter or digit");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one scope, e.g. ingest:audit, ingest:*,"
                    + " read:audit, read:analytics, erase:audit, admin");
        }
        for (String scope : scopes) {
            if (!SCOPE.matcher(scope).matches()) {
                throw new IllegalArgumentException("scope '" + scope + "' is not valid: use ingest:<stream>,"
                        + " ingest:*, read:audit, read:analytics, erase:audit or admin");
            }
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String secret = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        String hash = HexFormat.of().formatHex(sha256(secret));
        ApiKey key = new ApiKey("key-" + hash.substring(0, 12), tenant, scopes, source, hash,
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        List<ApiKey> keys = new ArrayList<>(read(file).keys());
        keys.add(key);
        write(file, new KeysFile(keys));
        return new CreatedKey(secret, key);
    }

    private static Snapshot read(Path file) {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            KeysFile parsed = size == 0 ? new KeysFile(List.of())
                    : YAML.readValue(Files.readString(file, StandardCharsets.UTF_8), KeysFile.class);
            List<byte[]> hashes = new ArrayList<>();
            for (ApiKey key : parsed.keys()) {
                if (key.tenant() == null || key.sha256() == null || key.sha256().length() != 64) {
                    throw new IllegalArgumentException("API keys file " + file + ": key " + key.id()
                            + " needs a tenant and a 64-digit sha256");
                }
                hashes.add(HexFormat.of().parseHex(key.sha256()));
            }
            return new Snapshot(modified, size, parsed.keys(), hashes);
        } catch (NoSuchFileException e) {
            return new Snapshot(null, -1, List.of(), List.of());
        } catch (IOException e) {
            throw new IllegalArgumentException("API keys file " + file + " is not valid YAML of the form"
                    + " 'keys: [{id, tenant, scopes, sha256}]': " + e.getMessage(), e);
        }
    }

    private static void write(Path file, KeysFile keys) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, ".keys", ".yml");
            try {
                Files.writeString(temp, "# API keys of the ingest gateway: SHA-256 hashes only. Add keys with"
                        + " `backbone keys create`.\n" + YAML.writeValueAsString(keys), StandardCharsets.UTF_8);
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write API keys file " + file, e);
        }
    }

    static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
