package dev.eventbackbone.audit.store;

/**
 * The record fields the store keeps a secondary index for, each with its one-byte key tag. Severity
 * has none: it has six values, so a scan filtered by it is as fast as an index would be, and
 * severe records are also on audit.alerts.
 */
enum IndexField {
    ACTOR('a'),
    ACTION('c'),
    RESOURCE('r'),
    OUTCOME('o'),
    /** Keyed by occurredAt rather than by a text value: see {@link Keys#timeIndex}. */
    TIME('t');

    final byte tag;

    IndexField(char tag) {
        this.tag = (byte) tag;
    }
}
