package dev.eventbackbone.audit.store;

/** The record fields the store keeps a secondary index for, each with its one-byte key tag. */
enum IndexField {
    ACTOR('a'),
    ACTION('c'),
    RESOURCE('r'),
    OUTCOME('o'),
    SEVERITY('s');

    final byte tag;

    IndexField(char tag) {
        this.tag = (byte) tag;
    }
}
