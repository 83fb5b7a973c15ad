package dev.eventbackbone.contracts.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SubjectNameStrategyTest {

    private static final Schema PAYMENT = SchemaBuilder.record("Payment").namespace("dev.eventbackbone.test")
            .fields().requiredLong("amount").endRecord();

    @Test
    void topicStrategyNamesKeyAndValueSubjectsAfterTheTopic() {
        assertThat(SubjectNameStrategy.TOPIC.subjectName("orders.commands", false, PAYMENT))
                .isEqualTo("orders.commands-value");
        assertThat(SubjectNameStrategy.TOPIC.subjectName("orders.commands", true, PAYMENT))
                .isEqualTo("orders.commands-key");
    }

    @Test
    void recordStrategyUsesTheFullRecordNameWhateverTheTopic() {
        assertThat(SubjectNameStrategy.RECORD.subjectName("orders.commands", false, PAYMENT))
                .isEqualTo("dev.eventbackbone.test.Payment");
        assertThat(SubjectNameStrategy.RECORD.subjectName("audit.raw", true, PAYMENT))
                .isEqualTo("dev.eventbackbone.test.Payment");
    }

    @Test
    void topicRecordStrategyJoinsTopicAndFullRecordName() {
        assertThat(SubjectNameStrategy.TOPIC_RECORD.subjectName("orders.commands", false, PAYMENT))
                .isEqualTo("orders.commands-dev.eventbackbone.test.Payment");
    }

    @Test
    void nameStrategiesUseTheTypeNameOfPrimitivesAsConfluentDoes() {
        assertThat(SubjectNameStrategy.RECORD.subjectName("t", true, Schema.create(Schema.Type.STRING)))
                .isEqualTo("string");
    }

    @Test
    void parsesShortNamesInAnyCase() {
        assertThat(SubjectNameStrategy.parse("k", "topic")).isEqualTo(SubjectNameStrategy.TOPIC);
        assertThat(SubjectNameStrategy.parse("k", "Record")).isEqualTo(SubjectNameStrategy.RECORD);
        assertThat(SubjectNameStrategy.parse("k", " topic-record ")).isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
        assertThat(SubjectNameStrategy.parse("k", "TOPIC_RECORD")).isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
    }

    @Test
    void parsesConfluentClassNames() {
        assertThat(SubjectNameStrategy.parse("k", "io.confluent.kafka.serializers.subject.TopicNameStrategy"))
                .isEqualTo(SubjectNameStrategy.TOPIC);
        assertThat(SubjectNameStrategy.parse("k", "io.confluent.kafka.serializers.subject.RecordNameStrategy"))
                .isEqualTo(SubjectNameStrategy.RECORD);
        assertThat(SubjectNameStrategy.parse("k", "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"))
                .isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
    }

    @Test
    void rejectsAnUnknownStrategyNamingTheKeyTheValueAndTheChoices() {
        assertThatThrownBy(() -> SubjectNameStrategy.parse("value.subject.name.strategy", "com.acme.MyStrategy"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("value.subject.name.strategy")
                .hasMessageContaining("com.acme.MyStrategy")
                .hasMessageContaining("topic, record, topic-record")
                .hasMessageContaining("io.confluent.kafka.serializers.subject.TopicNameStrategy");
    }
}
