package dev.eventbackbone.registry;

import java.util.List;

/** Resolves the {@code {version}} path segment: a positive number, {@code latest} or {@code -1}. */
final class VersionSelector {

    private VersionSelector() {
    }

    static boolean isLatest(String version) {
        return "latest".equalsIgnoreCase(version) || "-1".equals(version);
    }

    /**
     * @throws RegistryException 42202 for a malformed version, 40401 for an unknown subject,
     *                           40402 for a version the subject does not have
     */
    static StoredVersion select(SchemaIndex index, String subject, String version, boolean includeDeleted) {
        int number = isLatest(version) ? -1 : parse(version);
        List<StoredVersion> versions = index.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        if (number == -1) {
            return versions.get(versions.size() - 1);
        }
        return versions.stream()
                .filter(stored -> stored.version() == number)
                .findFirst()
                .orElseThrow(() -> RegistryException.versionNotFound(subject, number));
    }

    private static int parse(String version) {
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw RegistryException.invalidVersion(version);
        }
        if (number < 1) {
            throw RegistryException.invalidVersion(version);
        }
        return number;
    }
}
