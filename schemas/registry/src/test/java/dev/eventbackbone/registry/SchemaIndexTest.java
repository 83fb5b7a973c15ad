package dev.eventbackbone.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SchemaIndexTest {

    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"A\",\"fields\":[]}";

    private final SchemaIndex index = new SchemaIndex();

    @Test
    void writesConfluentsRecordLayout() {
        assertThat(text(SchemaRecords.schemaKey("s", 3)))
                .isEqualTo("{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":3,\"magic\":1}");
        assertThat(text(SchemaRecords.schemaValue(new StoredVersion("s", 3, 7, SCHEMA, false))))
                .isEqualTo("{\"subject\":\"s\",\"version\":3,\"id\":7,\"schemaType\":\"AVRO\",\"schema\":"
                        + "\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"A\\\",\\\"fields\\\":[]}\",\"deleted\":false}");
        assertThat(text(SchemaRecords.configKey(null)))
                .isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}");
        assertThat(text(SchemaRecords.configValue(CompatibilityLevel.FULL)))
                .isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
    }

    @Test
    void indexesSchemasByIdSubjectAndVersion() {
        apply(SchemaRecords.schemaKey("s", 1), SchemaRecords.schemaValue(new StoredVersion("s", 1, 5, SCHEMA, false)));
        apply(SchemaRecords.schemaKey("t", 1), SchemaRecords.schemaValue(new StoredVersion("t", 1, 5, SCHEMA, false)));

        assertThat(index.schemaById(5)).contains(SCHEMA);
        assertThat(index.idOf(SCHEMA)).contains(5);
        assertThat(index.maxId()).isEqualTo(5);
        assertThat(index.subjects("", false)).containsExactly("s", "t");
        assertThat(index.usesOf(5)).extracting(StoredVersion::subject).containsExactlyInAnyOrder("s", "t");
    }

    @Test
    void tombstonesAndDeletedFlagsHideVersions() {
        apply(SchemaRecords.schemaKey("s", 1), SchemaRecords.schemaValue(new StoredVersion("s", 1, 1, SCHEMA, false)));
        apply(SchemaRecords.schemaKey("s", 2), SchemaRecords.schemaValue(new StoredVersion("s", 2, 2, SCHEMA + " ", true)));

        assertThat(index.versions("s", false)).extracting(StoredVersion::version).containsExactly(1);
        assertThat(index.versions("s", true)).extracting(StoredVersion::version).containsExactly(1, 2);
        assertThat(index.maxVersion("s")).isEqualTo(2);

        apply(SchemaRecords.schemaKey("s", 1), null);
        assertThat(index.subjects("", false)).isEmpty();
        assertThat(index.subjects("", true)).containsExactly("s");
    }

    @Test
    void appliesGlobalAndSubjectConfigAndTheirRemoval() {
        apply(SchemaRecords.configKey(null), SchemaRecords.configValue(CompatibilityLevel.NONE));
        apply(SchemaRecords.configKey("s"), SchemaRecords.configValue(CompatibilityLevel.FULL));
        assertThat(index.globalLevel()).contains(CompatibilityLevel.NONE);
        assertThat(index.subjectLevel("s")).contains(CompatibilityLevel.FULL);

        apply(SchemaRecords.configKey("s"), null);
        assertThat(index.subjectLevel("s")).isEmpty();
    }

    @Test
    void skipsRecordsItDoesNotUnderstand() {
        apply("{\"keytype\":\"NOOP\",\"magic\":0}".getBytes(StandardCharsets.UTF_8), null);
        apply("not json".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
        apply(SchemaRecords.schemaKey("p", 1),
                "{\"subject\":\"p\",\"version\":1,\"id\":9,\"schemaType\":\"PROTOBUF\",\"schema\":\"x\"}"
                        .getBytes(StandardCharsets.UTF_8));

        assertThat(index.subjects("", true)).isEmpty();
        assertThat(index.maxId()).isZero();
    }

    private void apply(byte[] key, byte[] value) {
        index.apply(key, value);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
