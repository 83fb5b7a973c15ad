package dev.eventbackbone.launcher;

import dev.eventbackbone.contracts.auth.ApiKeyStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backbone keys}: API keys of the ingest gateway. */
@Command(name = "keys",
        mixinStandardHelpOptions = true,
        description = "Manages the ingest gateway's API keys.",
        subcommands = {KeysCommand.Create.class})
final class KeysCommand {

    /** The keys file {@code backbone up} gives its gateway, below the data directory. */
    static Path defaultKeysFile(Path dataDir) {
        return dataDir.resolve("gateway").resolve("keys.yml");
    }

    @Command(name = "create",
            mixinStandardHelpOptions = true,
            description = "Creates an API key for a tenant, prints it once and stores only its SHA-256 hash in"
                    + " the keys file. A running gateway picks the new key up within seconds.")
    static final class Create implements Callable<Integer> {

        @Option(names = "--tenant", required = true, paramLabel = "TENANT",
                description = "The tenant every event sent with the key belongs to.")
        String tenant;

        @Option(names = "--scopes", required = true, split = ",", paramLabel = "SCOPE[,SCOPE...]",
                description = "What the key may do: ingest:<stream> (audit, orders, notifications, analytics),"
                        + " ingest:*, read:audit, read:analytics, erase:audit, admin.")
        List<String> scopes;

        @Option(names = "--source", paramLabel = "NAME",
                description = "Service name stamped on events whose body names no source. Default: http.")
        String source;

        @Option(names = "--data-dir", paramLabel = "DIR",
                defaultValue = "${env:BACKBONE_DATA_DIR:-.backbone/data}",
                description = "Data directory of `backbone up`; the keys file is gateway/keys.yml below it.")
        Path dataDir;

        @Option(names = "--keys-file", paramLabel = "FILE",
                description = "The keys file to add the key to, instead of the one below --data-dir"
                        + " (e.g. the file a standalone gateway's keysFile names).")
        Path keysFile;

        @Override
        public Integer call() {
            Path file = (keysFile != null ? keysFile : defaultKeysFile(dataDir)).toAbsolutePath();
            ApiKeyStore.CreatedKey created;
            try {
                created = ApiKeyStore.create(file, tenant, scopes, source);
            } catch (IllegalArgumentException e) {
                throw new LaunchException(e.getMessage());
            }
            System.out.println("API key " + created.key().id() + " for tenant " + tenant + ", scopes "
                    + String.join(",", created.key().scopes()) + ":");
            System.out.println();
            System.out.println("  " + created.secret());
            System.out.println();
            System.out.println("Store it now: it is not shown again. Only its SHA-256 hash is kept, in " + file + ".");
            return 0;
        }
    }
}
