package dev.eventbackbone.contracts.serde;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

/**
 * How a serializer names the registry subject a record's schema is registered under. Configured
 * by {@code key.subject.name.strategy} / {@code value.subject.name.strategy} with a short name
 * ({@code topic}, {@code record}, {@code topic-record}) or Confluent's class name, so existing
 * Confluent configurations work unchanged.
 */
public enum SubjectNameStrategy {

    /** {@code <topic>-key} or {@code <topic>-value}: one schema (and its evolutions) per topic. The default. */
    TOPIC("topic", "io.confluent.kafka.serializers.subject.TopicNameStrategy") {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return topic + (isKey ? "-key" : "-value");
        }
    },

    /** The record's full name: one record type may appear on many topics, many types on one topic. */
    RECORD("record", "io.confluent.kafka.serializers.subject.RecordNameStrategy") {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return schema.getFullName();
        }
    },

    /** {@code <topic>-<full record name>}: several record types on one topic, each evolving per topic. */
    TOPIC_RECORD("topic-record", "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy") {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return topic + "-" + schema.getFullName();
        }
    };

    private final String shortName;
    private final String confluentClassName;

    SubjectNameStrategy(String shortName, String confluentClassName) {
        this.shortName = shortName;
        this.confluentClassName = confluentClassName;
    }

    /**
     * The subject for a record of {@code schema} on {@code topic}. For schemas without a name
     * (primitives) the name-based strategies use the type name, e.g. {@code string}, as Confluent does.
     */
    public abstract String subjectName(String topic, boolean isKey, Schema schema);

    /** The name used in configuration, e.g. {@code topic-record}. */
    public String shortName() {
        return shortName;
    }

    /** The class name Confluent's serializers accept for this strategy. */
    public String confluentClassName() {
        return confluentClassName;
    }

    /**
     * The strategy with this short name (any case), constant name or Confluent class name.
     *
     * @throws ConfigException naming the accepted values when none matches
     */
    public static SubjectNameStrategy parse(String configKey, String value) {
        String name = value == null ? "" : value.trim();
        for (SubjectNameStrategy strategy : values()) {
            if (strategy.shortName.equalsIgnoreCase(name) || strategy.name().equalsIgnoreCase(name)
                    || strategy.confluentClassName.equals(name)) {
                return strategy;
            }
        }
        throw new ConfigException(configKey, value, "unknown subject name strategy; use one of "
                + Arrays.stream(values()).map(s -> s.shortName).collect(Collectors.joining(", "))
                + " or Confluent's class names "
                + Arrays.stream(values()).map(s -> s.confluentClassName).collect(Collectors.joining(", "))
                + ". Custom strategies are not supported.");
    }
}
