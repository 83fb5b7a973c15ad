package dev.eventbackbone.audit.store;

import java.util.List;

/**
 * One page of search results, newest first.
 *
 * @param nextCursor the leaf index to continue below, or null when nothing older can match
 */
public record Page(List<StoredLeaf> leaves, Long nextCursor) {
}
