package dev.eventbackbone.contracts.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyStoreTest {

    @TempDir
    Path dir;

    @Test
    void createdKeyAuthenticatesAndTheFileHoldsOnlyItsHash() throws Exception {
        Path file = dir.resolve("keys.yml");
        ApiKeyStore.CreatedKey created = ApiKeyStore.create(file, "acme", List.of("ingest:audit"), "billing-api");

        String stored = Files.readString(file);
        assertThat(stored).doesNotContain(created.secret()).contains(created.key().sha256(), "acme", "ingest:audit");
        assertThat(Files.getPosixFilePermissions(file)).containsOnly(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
        ApiKey key = ApiKeyStore.open(file).authenticate(created.secret()).orElseThrow();
        assertThat(key.tenant()).isEqualTo("acme");
        assertThat(key.source()).isEqualTo("billing-api");
        assertThat(ApiKeyStore.open(file).authenticate(created.secret() + "x")).isEmpty();
    }

    @Test
    void reloadPicksUpKeysAddedLater() {
        Path file = dir.resolve("keys.yml");
        ApiKeyStore store = ApiKeyStore.open(file);
        assertThat(store.size()).isZero();
        String secret = ApiKeyStore.create(file, "acme", List.of("ingest:*"), null).secret();

        assertThat(store.reloadIfChanged()).isTrue();
        assertThat(store.authenticate(secret)).isPresent();
        assertThat(store.reloadIfChanged()).isFalse();
    }

    @Test
    void aKeyRemovedFromTheFileStopsAuthenticatingAfterTheReloadEvenOnceRemembered() throws Exception {
        Path file = dir.resolve("keys.yml");
        String removed = ApiKeyStore.create(file, "acme", List.of("ingest:*"), null).secret();
        ApiKeyStore store = ApiKeyStore.open(file);
        assertThat(store.authenticate(removed)).isPresent();
        assertThat(store.authenticate(removed)).as("the remembered match").isPresent();

        Path other = dir.resolve("other.yml");
        String kept = ApiKeyStore.create(other, "acme", List.of("ingest:*"), null).secret();
        FileTime before = Files.getLastModifiedTime(file);
        Files.copy(other, file, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 1_000));

        assertThat(store.reloadIfChanged()).isTrue();
        assertThat(store.authenticate(removed)).isEmpty();
        assertThat(store.authenticate(kept)).isPresent();
    }

    @Test
    void scopesAllowTheirStreamTheirWildcardAndAdmin() {
        ApiKey audit = new ApiKey("k", "t", List.of("ingest:audit"), null, "0".repeat(64), null);
        ApiKey all = new ApiKey("k", "t", List.of("ingest:*"), null, "0".repeat(64), null);
        ApiKey admin = new ApiKey("k", "t", List.of("admin"), null, "0".repeat(64), null);
        assertThat(audit.allows("ingest:audit")).isTrue();
        assertThat(audit.allows("ingest:orders")).isFalse();
        assertThat(all.allows("ingest:orders")).isTrue();
        assertThat(all.allows("read:audit")).isFalse();
        assertThat(admin.allows("read:audit")).isTrue();
    }

    @Test
    void refusesInvalidTenantsAndScopes() {
        Path file = dir.resolve("keys.yml");
        assertThatThrownBy(() -> ApiKeyStore.create(file, "Acme Corp", List.of("ingest:*"), null))
                .hasMessageContaining("tenant 'Acme Corp' is not valid");
        assertThatThrownBy(() -> ApiKeyStore.create(file, "acme", List.of("write:everything"), null))
                .hasMessageContaining("scope 'write:everything' is not valid");
        assertThatThrownBy(() -> ApiKeyStore.create(file, "acme", List.of("erase:*"), null))
                .as("erasing is granted for the audit log by name, never by wildcard")
                .hasMessageContaining("scope 'erase:*' is not valid");
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void readsTheSecretOfABearerHeaderOnly() {
        assertThat(ApiKeyStore.bearerSecret("Bearer ebk_abc")).contains("ebk_abc");
        assertThat(ApiKeyStore.bearerSecret("bearer  ebk_abc ")).contains("ebk_abc");
        assertThat(ApiKeyStore.bearerSecret("Basic dXNlcjpwdw==")).isEmpty();
        assertThat(ApiKeyStore.bearerSecret("Bearer ")).isEmpty();
        assertThat(ApiKeyStore.bearerSecret(null)).isEmpty();
    }
}
