package dev.eventbackbone.contracts.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class AvroSerdeConfigTest {

    @Test
    void defaultsMatchConfluentSerializers() {
        AvroSerdeConfig config = new AvroSerdeConfig(Map.of("schema.registry.url", "http://127.0.0.1:8081"));

        assertThat(config.autoRegisterSchemas()).isTrue();
        assertThat(config.useLatestVersion()).isFalse();
        assertThat(config.latestCacheTtl()).isEmpty();
        assertThat(config.specificAvroReader()).isFalse();
        assertThat(config.readerSchema()).isEmpty();
        assertThat(config.subjectNameStrategy(true)).isEqualTo(SubjectNameStrategy.TOPIC);
        assertThat(config.subjectNameStrategy(false)).isEqualTo(SubjectNameStrategy.TOPIC);
    }

    @Test
    void readsAnExistingConfluentSerializerConfiguration() {
        AvroSerdeConfig config = new AvroSerdeConfig(Map.of(
                "schema.registry.url", "http://a:8081,http://b:8081",
                "auto.register.schemas", "false",
                "use.latest.version", "true",
                "latest.cache.ttl.sec", "30",
                "specific.avro.reader", "true",
                "key.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy",
                "value.subject.name.strategy", "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
                "bootstrap.servers", "127.0.0.1:9092"));

        assertThat(config.getList("schema.registry.url")).containsExactly("http://a:8081", "http://b:8081");
        assertThat(config.autoRegisterSchemas()).isFalse();
        assertThat(config.useLatestVersion()).isTrue();
        assertThat(config.latestCacheTtl()).contains(Duration.ofSeconds(30));
        assertThat(config.specificAvroReader()).isTrue();
        assertThat(config.subjectNameStrategy(true)).isEqualTo(SubjectNameStrategy.RECORD);
        assertThat(config.subjectNameStrategy(false)).isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
    }

    @Test
    void acceptsShortStrategyNames() {
        AvroSerdeConfig config = new AvroSerdeConfig(Map.of(
                "key.subject.name.strategy", "topic-record", "value.subject.name.strategy", "record"));

        assertThat(config.subjectNameStrategy(true)).isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
        assertThat(config.subjectNameStrategy(false)).isEqualTo(SubjectNameStrategy.RECORD);
    }

    @Test
    void takesAStrategyGivenAsAClassObjectByItsName() {
        assertThatThrownBy(() -> new AvroSerdeConfig(Map.of("value.subject.name.strategy", String.class)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("java.lang.String")
                .hasMessageContaining("topic, record, topic-record");
    }

    @Test
    void rejectsAnUnknownStrategyWhenConfigured() {
        assertThatThrownBy(() -> new AvroSerdeConfig(Map.of("key.subject.name.strategy", "by-tenant")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key.subject.name.strategy")
                .hasMessageContaining("by-tenant");
    }

    @Test
    void parsesTheGenericReaderSchema() {
        AvroSerdeConfig config = new AvroSerdeConfig(Map.of("avro.reader.schema",
                "{\"type\":\"record\",\"name\":\"Point\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}"));

        assertThat(config.readerSchema()).hasValueSatisfying(schema -> assertThat(schema.getName()).isEqualTo("Point"));
    }

    @Test
    void rejectsAReaderSchemaAvroCannotParse() {
        AvroSerdeConfig config = new AvroSerdeConfig(Map.of("avro.reader.schema", "{\"type\":\"recrod\"}"));

        assertThatThrownBy(config::readerSchema)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("avro.reader.schema")
                .hasMessageContaining("not an Avro schema");
    }
}
