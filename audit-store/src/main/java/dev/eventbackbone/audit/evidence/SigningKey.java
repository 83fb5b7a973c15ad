package dev.eventbackbone.audit.evidence;

import dev.eventbackbone.audit.merkle.TreeHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Ed25519 key pair that signs tree heads, from the JDK's own provider. Both keys live in one
 * PEM file with owner-only permissions, made by {@code backbone audit keygen}: the private key as PKCS#8 and the
 * public key as X.509 SubjectPublicKeyInfo (the JDK cannot derive an Ed25519 public key from a
 * PKCS#8 private key, so it is kept beside it). The public key is published in the same PEM form,
 * which OpenSSL reads.
 */
public final class SigningKey {

    public static final String ALGORITHM = "Ed25519";
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** Reads the key file written by {@link #generate}; fails with what to do when there is none. */
    public static SigningKey load(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalStateException("No audit signing key at " + file.toAbsolutePath() + ": create one with"
                    + " `backbone audit keygen --out " + file + "` and keep a backup; it is the store's identity.");
        }
        try {
            return fromPem(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the signing key " + file, e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot read the Ed25519 signing key in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes a fresh key pair and writes it to {@code file} with owner-only permissions; refuses to
     * overwrite an existing key, whose loss would orphan every head it signed.
     */
    public static SigningKey generate(Path file) {
        if (Files.exists(file)) {
            throw new IllegalStateException("A key already exists at " + file.toAbsolutePath() + "; it is not replaced."
                    + " Rotate to a new key with `backbone audit rotate-key` instead.");
        }
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temporary = parent.resolve(file.getFileName() + ".tmp");
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, pem("PRIVATE KEY", pair.getPrivate().getEncoded())
                    + pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            Files.move(temporary, file);
            return new SigningKey(pair.getPrivate(), pair.getPublic());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the signing key " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot make an Ed25519 key pair: " + e.getMessage(), e);
        }
    }

    static SigningKey fromPem(String pemText) throws GeneralSecurityException {
        KeyFactory factory = KeyFactory.getInstance(ALGORITHM);
        PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(decodePem(pemText, "PRIVATE KEY")));
        PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(decodePem(pemText, "PUBLIC KEY")));
        return new SigningKey(privateKey, publicKey);
    }

    public String sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey);
            signature.update(message);
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Signing with Ed25519 failed", e);
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The key's id: SHA-256 of its X.509 SubjectPublicKeyInfo, in hex, as RFC 9162 names a log's key. */
    public String keyId() {
        return keyId(publicKey);
    }

    public static String keyId(PublicKey publicKey) {
        return TreeHash.hex(TreeHash.sha256(publicKey.getEncoded()));
    }

    public String publicKeyPem() {
        return publicKeyPem(publicKey);
    }

    public static String publicKeyPem(PublicKey publicKey) {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    /** True when the signature is a valid Ed25519 signature of the message by the public key. */
    public static boolean verify(PublicKey publicKey, byte[] message, String base64Signature) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(publicKey);
            signature.update(message);
            return signature.verify(Base64.getDecoder().decode(base64Signature));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    /** Reads a public key in PEM (X.509 SubjectPublicKeyInfo), as the audit API serves it. */
    public static PublicKey parsePublicPem(String pemText) {
        try {
            return KeyFactory.getInstance(ALGORITHM)
                    .generatePublic(new X509EncodedKeySpec(decodePem(pemText, "PUBLIC KEY")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    private static byte[] decodePem(String pemText, String type) {
        Matcher matcher = PEM.matcher(pemText);
        while (matcher.find()) {
            if (matcher.group(1).equals(type)) {
                return Base64.getMimeDecoder().decode(matcher.group(2).getBytes(StandardCharsets.US_ASCII));
            }
        }
        throw new IllegalArgumentException("Expected a PEM block '-----BEGIN " + type + "-----'");
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
