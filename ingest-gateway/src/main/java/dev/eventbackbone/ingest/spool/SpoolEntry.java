package dev.eventbackbone.ingest.spool;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A serialized Kafka record waiting in the spool.
 *
 * @param key     null for a keyless record
 * @param headers record headers in their original order
 */
public record SpoolEntry(String topic, byte[] key, byte[] value, Map<String, byte[]> headers, long acceptedAtMillis) {

    public SpoolEntry {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }
}
