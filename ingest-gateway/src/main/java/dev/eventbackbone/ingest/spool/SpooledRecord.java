package dev.eventbackbone.ingest.spool;

/** An entry as the spool holds it, with the sequence number that fixes its place in line. */
public record SpooledRecord(long sequence, SpoolEntry entry) {
}
