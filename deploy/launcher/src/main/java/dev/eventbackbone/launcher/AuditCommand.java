package dev.eventbackbone.launcher;

import dev.eventbackbone.audit.evidence.CanonicalJson;
import dev.eventbackbone.audit.evidence.ExportVerifier;
import dev.eventbackbone.audit.evidence.KeyEndorsement;
import dev.eventbackbone.audit.evidence.KeyHistory;
import dev.eventbackbone.audit.evidence.ProofCheck;
import dev.eventbackbone.audit.evidence.SignedTreeHead;
import dev.eventbackbone.audit.evidence.SigningKey;
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

/** {@code backbone audit}: tools for auditors and for the audit store's operators. */
@Command(name = "audit",
        mixinStandardHelpOptions = true,
        description = "Tools for the audit trail: verify exports and proofs offline, make and rotate signing keys.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.VerifyProof.class, AuditCommand.Keygen.class,
                AuditCommand.RotateKey.class})
final class AuditCommand {

    private AuditCommand() {
    }

    @Command(name = "verify",
            mixinStandardHelpOptions = true,
            description = "Verifies an audit export (JSON Lines from GET /v1/audit/export) offline: recomputes every"
                    + " leaf hash, rebuilds the Merkle tree and checks every signed head against it and the trusted"
                    + " key. Exit code 0 only when every leaf is covered by a head signed by a trusted key; 1 when"
                    + " anything was added, removed, altered or reordered, or is unsigned (the first fault is named).")
    static final class Verify implements Callable<Integer> {

        @Parameters(paramLabel = "FILE.jsonl", description = "The export to verify.")
        Path export;

        @Option(names = "--public-key", paramLabel = "FILE", required = true,
                description = "The store's public key in PEM (GET /v1/audit/public-key.pem, or an older key that"
                        + " endorsed the current one), obtained separately from the export.")
        Path publicKey;

        @Option(names = "--head", paramLabel = "HEAD.json",
                description = "A signed head obtained separately (GET /v1/audit/heads/latest, audit.heads): the export"
                        + " must reach it and agree with it, which proves nothing was cut from its end.")
        Path head;

        @Override
        public Integer call() throws IOException {
            PublicKey trusted = readPublicKey(publicKey);
            SignedTreeHead held = head == null ? null : readHead(head);
            ExportVerifier.Outcome outcome;
            try (BufferedReader lines = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
                outcome = ExportVerifier.verify(lines, trusted, held);
            } catch (IllegalArgumentException e) {
                throw new LaunchException(export + " is not an audit export: " + e.getMessage());
            }
            return report(outcome, held, System.out);
        }

        static int report(ExportVerifier.Outcome outcome, SignedTreeHead held, PrintStream out) {
            if (!outcome.verified()) {
                out.println("BROKEN: tenant " + outcome.tenantId() + ". " + outcome.reason());
                out.println("First bad leaf: " + outcome.firstBadIndex() + "; the leaves before it are covered by a"
                        + " valid signed head up to " + outcome.signedThrough() + ".");
                return 1;
            }
            out.println("VERIFIED: tenant " + outcome.tenantId() + ", " + outcome.treeSize() + " leaves, every one"
                    + " covered by a signed head (" + outcome.headsChecked() + " checked); Merkle root "
                    + outcome.rootHash() + ".");
            if (outcome.leavesDeleted() > 0) {
                out.println("Note: " + outcome.leavesDeleted() + " leaves had their content deleted by retention;"
                        + " their hashes are still part of the verified tree.");
            }
            if (outcome.leavesErased() > 0) {
                out.println("Note: " + outcome.leavesErased() + " leaves have erased personal fields (their subject's"
                        + " key was destroyed); the leaves, sealed, are still part of the verified tree.");
            }
            if (held != null) {
                out.println("The export agrees with the head you hold at " + held.treeSize() + " leaves.");
            }
            return 0;
        }
    }

    @Command(name = "verify-proof",
            mixinStandardHelpOptions = true,
            description = "Verifies one proof offline, as GET /v1/audit/proofs/inclusion or /consistency answers it:"
                    + " the head must be signed by the trusted key and the proof must lead to its root.")
    static final class VerifyProof implements Callable<Integer> {

        @Parameters(paramLabel = "PROOF.json", description = "The proof answer.")
        Path proof;

        @Option(names = "--public-key", paramLabel = "FILE", required = true,
                description = "The store's public key in PEM, obtained separately.")
        Path publicKey;

        @Option(names = "--head", paramLabel = "HEAD.json",
                description = "For a consistency proof: the older head you held, which the newer tree must extend.")
        Path head;

        @Override
        public Integer call() throws IOException {
            ProofCheck.Result result;
            try {
                result = ProofCheck.check(CanonicalJson.parse(Files.readAllBytes(proof)), readPublicKey(publicKey),
                        head == null ? null : readHead(head));
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new LaunchException(proof + " is not a proof answer: " + e.getMessage());
            }
            if (!result.verified()) {
                System.out.println("BROKEN: " + result.problem() + ".");
                return 1;
            }
            System.out.println("VERIFIED: " + result.statement() + ".");
            return 0;
        }
    }

    @Command(name = "keygen",
            mixinStandardHelpOptions = true,
            description = "Makes an Ed25519 key pair for the audit store to sign tree heads with (owner-only file"
                    + " permissions) and prints its key id. Keep a backup: it is the store's identity.")
    static final class Keygen implements Callable<Integer> {

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the key pair (PEM).")
        Path out;

        @Override
        public Integer call() {
            try {
                SigningKey key = SigningKey.generate(out);
                System.out.println("Created " + out + " with key id " + key.keyId());
                System.out.print(key.publicKeyPem());
                return 0;
            } catch (IllegalStateException e) {
                throw new LaunchException(e.getMessage());
            }
        }
    }

    @Command(name = "rotate-key",
            mixinStandardHelpOptions = true,
            description = "Endorses the next signing key with the current one and appends the endorsement to the key"
                    + " history; then point the store's signingKeyFile at the next key and restart it. Verifiers that"
                    + " trust the current key then trust the next one, and refuse heads the retired key signs later.")
    static final class RotateKey implements Callable<Integer> {

        @Option(names = "--current", paramLabel = "FILE", required = true, description = "The key signing now (PEM).")
        Path current;

        @Option(names = "--next", paramLabel = "FILE", required = true,
                description = "The key to sign from now on (made with keygen).")
        Path next;

        @Option(names = "--history", paramLabel = "FILE", required = true,
                description = "The store's keyHistoryFile (JSON Lines), created when absent.")
        Path history;

        @Override
        public Integer call() {
            try {
                SigningKey retiring = SigningKey.load(current);
                SigningKey successor = SigningKey.load(next);
                KeyEndorsement step = KeyEndorsement.endorse(retiring, successor.publicKey(), System.currentTimeMillis());
                KeyHistory.append(history, step);
                System.out.println("Key " + retiring.keyId() + " endorsed " + successor.keyId() + " in " + history
                        + "; configure signingKeyFile: " + next + " and restart the store.");
                return 0;
            } catch (IllegalStateException e) {
                throw new LaunchException(e.getMessage());
            }
        }
    }

    private static PublicKey readPublicKey(Path file) throws IOException {
        try {
            return SigningKey.parsePublicPem(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new LaunchException(file + ": " + e.getMessage());
        }
    }

    private static SignedTreeHead readHead(Path file) throws IOException {
        try {
            return SignedTreeHead.fromJson(CanonicalJson.parse(Files.readAllBytes(file)));
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new LaunchException(file + " is not a signed head: " + e.getMessage());
        }
    }
}
