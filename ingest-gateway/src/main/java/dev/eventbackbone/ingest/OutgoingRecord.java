package dev.eventbackbone.ingest;

import java.util.Map;

/** An accepted event ready for Kafka: serialized key and value and the record headers. */
record OutgoingRecord(String topic, byte[] key, byte[] value, Map<String, byte[]> headers) {

    int sizeInBytes() {
        int size = value.length + (key == null ? 0 : key.length);
        for (Map.Entry<String, byte[]> header : headers.entrySet()) {
            size += header.getKey().length() + header.getValue().length;
        }
        return size;
    }
}
