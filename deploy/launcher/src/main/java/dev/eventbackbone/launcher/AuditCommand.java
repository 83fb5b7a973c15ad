package dev.eventbackbone.launcher;

import dev.eventbackbone.audit.chain.ChainVerifier;
import dev.eventbackbone.audit.chain.ExportVerifier;
import dev.eventbackbone.audit.chain.SigningKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code backbone audit}: tools for auditors. */
@Command(name = "audit",
        mixinStandardHelpOptions = true,
        description = "Tools for the audit trail.",
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand {

    @Command(name = "verify",
            mixinStandardHelpOptions = true,
            description = "Verifies an audit export (JSON Lines from GET /v1/audit/export) offline: recomputes every"
                    + " record's SHA-256 chain hash and checks every Ed25519-signed checkpoint. Exit code 0 when"
                    + " intact, 1 when broken (the first broken sequence number is printed).")
    static final class Verify implements Callable<Integer> {

        @Parameters(paramLabel = "FILE.jsonl", description = "The export to verify.")
        Path export;

        @Option(names = "--public-key", paramLabel = "FILE",
                description = "The store's public key in PEM (GET /v1/audit/public-key.pem), obtained separately."
                        + " Without it the key inside the export is used, which detects accidents but not a forger.")
        Path publicKey;

        @Override
        public Integer call() throws IOException {
            PublicKey trusted = null;
            if (publicKey != null) {
                try {
                    trusted = SigningKey.parsePublicPem(Files.readString(publicKey));
                } catch (IllegalArgumentException e) {
                    throw new LaunchException(publicKey + ": " + e.getMessage());
                }
            }
            ExportVerifier.Outcome outcome;
            try (BufferedReader lines = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
                outcome = ExportVerifier.verify(lines, trusted);
            } catch (IllegalArgumentException e) {
                throw new LaunchException(export + " is not an audit export: " + e.getMessage());
            }
            return report(outcome, System.out);
        }

        static int report(ExportVerifier.Outcome outcome, PrintStream out) {
            ChainVerifier.Result chain = outcome.chain();
            if (!chain.verified()) {
                out.println("BROKEN: tenant " + chain.tenantId() + ". " + chain.reason());
                out.println("First broken sequence: " + chain.firstBrokenSequence() + "; " + chain.recordsChecked()
                        + " record(s) before it are intact.");
                return 1;
            }
            out.println("VERIFIED: tenant " + chain.tenantId() + ", " + chain.recordsChecked() + " record(s) up to"
                    + " sequence " + chain.lastSequence() + ", " + chain.checkpointsChecked()
                    + " signed checkpoint(s); chain hash " + chain.lastHash() + ".");
            if (outcome.signedThrough() < chain.lastSequence()) {
                out.println("Note: records after sequence " + outcome.signedThrough() + " are chained but no signed"
                        + " checkpoint covers them yet; export again later to have them signed.");
            }
            if (outcome.keyFromExport()) {
                out.println("Note: checked against the public key inside the export. Pass --public-key with the key"
                        + " obtained from the store to rule out a forged export.");
            }
            return 0;
        }
    }
}
