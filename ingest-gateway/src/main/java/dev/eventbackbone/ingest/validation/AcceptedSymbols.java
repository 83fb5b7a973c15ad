package dev.eventbackbone.ingest.validation;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The enum symbols a caller may send. Our enums default to {@code UNKNOWN} so that older readers
 * can read symbols added later (docs/topics.md); a caller sending {@code UNKNOWN} itself never means
 * anything, so it is refused at the door instead of failing in a processor.
 */
final class AcceptedSymbols {

    private static final String READER_FALLBACK = "UNKNOWN";

    private AcceptedSymbols() {
    }

    static List<String> of(Schema enumSchema) {
        if (!READER_FALLBACK.equals(enumSchema.getEnumDefault())) {
            return enumSchema.getEnumSymbols();
        }
        return enumSchema.getEnumSymbols().stream().filter(symbol -> !symbol.equals(READER_FALLBACK)).toList();
    }
}
