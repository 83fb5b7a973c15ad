package dev.eventbackbone.audit.chain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;

/**
 * Checks an audit export (JSON Lines from {@code GET /v1/audit/export}) offline: every record's
 * hash is recomputed from its canonical JSON, the chain links are followed, and every checkpoint's
 * Ed25519 signature is checked against the public key and against the recomputed chain.
 */
public final class ExportVerifier {

    private ExportVerifier() {
    }

    /**
     * What an offline verification found.
     *
     * @param signedThrough the newest sequence a valid signed checkpoint vouches for; records after
     *                      it are consistently chained but not yet signed
     * @param keyFromExport true when no trusted key was given and the export's own key was used,
     *                      which proves integrity only against accidents, not against a forger
     */
    public record Outcome(ChainVerifier.Result chain, long signedThrough, boolean keyFromExport) {
    }

    /** @param trustedKey the public key obtained from the store out of band; null to use the export's own */
    public static Outcome verify(BufferedReader lines, PublicKey trustedKey) {
        try {
            String headerLine = lines.readLine();
            if (headerLine == null) {
                throw new IllegalArgumentException("The export is empty: its first line must be the export header.");
            }
            JsonNode header = CanonicalJson.parse(headerLine.getBytes(StandardCharsets.UTF_8));
            if (!"export".equals(header.path("type").asText())) {
                throw new IllegalArgumentException("Line 1 is not an export header (type \"export\").");
            }
            String tenant = header.path("tenantId").asText();
            PublicKey key = trustedKey != null ? trustedKey : SigningKey.parsePublicPem(header.path("publicKey").asText());
            long end = header.path("toSequence").asLong();
            ChainVerifier verifier = null;
            long signedThrough = 0;
            String line;
            int lineNumber = 1;
            while ((line = lines.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = CanonicalJson.parse(line.getBytes(StandardCharsets.UTF_8));
                String type = node.path("type").asText();
                if ("checkpoint".equals(type)) {
                    Checkpoint checkpoint = checkpoint(node);
                    if (verifier == null) {
                        verifier = anchoredAt(checkpoint, tenant, key);
                    } else {
                        verifier.checkpoint(checkpoint);
                    }
                    if (verifier.result().verified()) {
                        signedThrough = checkpoint.sequence();
                    }
                } else if ("record".equals(type)) {
                    if (verifier == null) {
                        verifier = new ChainVerifier(tenant, key, 1, ChainHash.GENESIS);
                    }
                    verifier.record(node.path("sequence").asLong(), node.path("prevHash").asText(),
                            node.path("hash").asText(), CanonicalJson.encode(node.path("record")));
                } else {
                    throw new IllegalArgumentException("Line " + lineNumber + " has unknown type '" + type + "'.");
                }
                if (!verifier.result().verified()) {
                    break;
                }
            }
            if (verifier == null) {
                verifier = new ChainVerifier(tenant, key, 1, ChainHash.GENESIS);
            }
            verifier.end(end);
            return new Outcome(verifier.result(), signedThrough, trustedKey == null);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the export", e);
        }
    }

    /** An export that starts after sequence 1 starts from a signed checkpoint: the hash it continues from. */
    private static ChainVerifier anchoredAt(Checkpoint anchor, String tenant, PublicKey key) {
        ChainVerifier verifier = new ChainVerifier(tenant, key, anchor.sequence() + 1,
                ChainHash.fromHex(anchor.chainHash()));
        if (!ChainVerifier.signatureValid(anchor, key) || !tenant.equals(anchor.tenantId())) {
            ChainVerifier failed = new ChainVerifier(tenant, key, anchor.sequence(), ChainHash.GENESIS);
            failed.checkpoint(anchor);
            return failed;
        }
        return verifier;
    }

    private static Checkpoint checkpoint(JsonNode node) {
        return new Checkpoint(node.path("tenantId").asText(), node.path("sequence").asLong(),
                node.path("chainHash").asText(), node.path("createdAt").asLong(), node.path("signature").asText());
    }
}
