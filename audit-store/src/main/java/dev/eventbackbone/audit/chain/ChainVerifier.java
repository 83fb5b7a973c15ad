package dev.eventbackbone.audit.chain;

import java.security.PublicKey;
import java.util.Arrays;

/**
 * Recomputes one tenant's chain from records fed in sequence order and checks each signed
 * checkpoint against it. It stops at the first break and names that sequence number. The same
 * code verifies the live store and an offline export, so both agree on what "intact" means.
 */
public final class ChainVerifier {

    private final String tenantId;
    private final PublicKey publicKey;
    private byte[] runningHash;
    private long expectedSequence;
    private long recordsChecked;
    private long checkpointsChecked;
    private Long firstBrokenSequence;
    private String reason;

    /**
     * @param firstSequence the sequence number the first record must have
     * @param anchorHash    the chain hash just before it: {@link ChainHash#GENESIS} at sequence 1,
     *                      otherwise the hash of a checkpoint whose signature was checked
     */
    public ChainVerifier(String tenantId, PublicKey publicKey, long firstSequence, byte[] anchorHash) {
        this.tenantId = tenantId;
        this.publicKey = publicKey;
        this.expectedSequence = firstSequence;
        this.runningHash = anchorHash.clone();
    }

    /** Checks a checkpoint's signature alone: the anchor an export or a verification starts from. */
    public static boolean signatureValid(Checkpoint checkpoint, PublicKey publicKey) {
        return SigningKey.verify(publicKey, checkpoint.signedBytes(), checkpoint.signature());
    }

    /** Feeds the next stored record; false once the chain is broken. */
    public boolean record(long sequence, String storedPreviousHash, String storedHash, byte[] canonicalRecord) {
        if (broken()) {
            return false;
        }
        if (sequence != expectedSequence) {
            return fail(Math.min(sequence, expectedSequence), sequence > expectedSequence
                    ? "record " + expectedSequence + " is missing: the next stored record is " + sequence
                    : "record " + sequence + " appears out of order after " + (expectedSequence - 1));
        }
        if (!ChainHash.hex(runningHash).equals(storedPreviousHash)) {
            return fail(sequence, "its prevHash is not the hash of record " + (sequence - 1));
        }
        byte[] computed = ChainHash.next(runningHash, sequence, canonicalRecord);
        if (!ChainHash.hex(computed).equals(storedHash)) {
            return fail(sequence, "its content does not match its hash: the record was altered");
        }
        runningHash = computed;
        expectedSequence++;
        recordsChecked++;
        return true;
    }

    /** Feeds a checkpoint that follows the record it names. */
    public boolean checkpoint(Checkpoint checkpoint) {
        if (broken()) {
            return false;
        }
        if (!tenantId.equals(checkpoint.tenantId())) {
            return fail(checkpoint.sequence(), "checkpoint at " + checkpoint.sequence()
                    + " belongs to tenant " + checkpoint.tenantId());
        }
        if (!signatureValid(checkpoint, publicKey)) {
            return fail(checkpoint.sequence(), "checkpoint at " + checkpoint.sequence()
                    + " has no valid signature by this public key");
        }
        if (checkpoint.sequence() != expectedSequence - 1
                || !Arrays.equals(ChainHash.fromHex(checkpoint.chainHash()), runningHash)) {
            return fail(checkpoint.sequence(), "signed checkpoint at " + checkpoint.sequence()
                    + " does not match the chain recomputed from the records");
        }
        checkpointsChecked++;
        return true;
    }

    /** Declares the last sequence that should have been fed: a record missing at the end is a break too. */
    public void end(long lastSequence) {
        if (!broken() && expectedSequence <= lastSequence) {
            fail(expectedSequence, "record " + expectedSequence + " is missing");
        }
    }

    private boolean fail(long sequence, String why) {
        firstBrokenSequence = sequence;
        reason = "Chain broken at sequence " + sequence + ": " + why + ".";
        return false;
    }

    private boolean broken() {
        return firstBrokenSequence != null;
    }

    public Result result() {
        return new Result(tenantId, !broken(), firstBrokenSequence, reason, recordsChecked, checkpointsChecked,
                expectedSequence - 1, ChainHash.hex(runningHash));
    }

    /**
     * What a verification found.
     *
     * @param lastSequence the last sequence verified intact, and {@code lastHash} the chain hash there
     */
    public record Result(String tenantId, boolean verified, Long firstBrokenSequence, String reason,
                         long recordsChecked, long checkpointsChecked, long lastSequence, String lastHash) {
    }
}
