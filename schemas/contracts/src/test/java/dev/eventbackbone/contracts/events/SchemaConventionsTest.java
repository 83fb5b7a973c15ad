package dev.eventbackbone.contracts.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaConventionsTest {

    private static final List<Schema> STREAM_SCHEMAS = List.of(
            AuditRawEvent.getClassSchema(),
            AuditRecord.getClassSchema(),
            AuditTreeHead.getClassSchema(),
            AuditSubjectKey.getClassSchema(),
            AuditErasureRequest.getClassSchema(),
            OrderCommand.getClassSchema(),
            OrderEvent.getClassSchema(),
            InventoryUpdate.getClassSchema(),
            InventoryReservation.getClassSchema(),
            ReservationResult.getClassSchema(),
            PaymentRequest.getClassSchema(),
            NotificationRequest.getClassSchema(),
            RecipientPreferences.getClassSchema(),
            NotificationMessage.getClassSchema(),
            DeliveryResult.getClassSchema(),
            AnalyticsEvent.getClassSchema(),
            RejectedEvent.getClassSchema());

    /** The one timestamp that is lenient on purpose: normalizing it is the audit topology's job. */
    private static final String LENIENT_TIMESTAMP = "AuditRawEvent.occurredAt";

    static Stream<Schema> streamSchemas() {
        return STREAM_SCHEMAS.stream();
    }

    @Test
    void everyRecordEnumAndFieldHasADoc() {
        List<String> undocumented = new ArrayList<>();
        for (Schema named : namedTypes().values()) {
            if (isBlank(named.getDoc())) {
                undocumented.add(named.getFullName());
            }
            if (named.getType() == Schema.Type.RECORD) {
                named.getFields().stream()
                        .filter(field -> isBlank(field.doc()))
                        .forEach(field -> undocumented.add(named.getName() + "." + field.name()));
            }
        }
        assertThat(undocumented).as("types and fields without a doc").isEmpty();
    }

    @Test
    void everyNullableFieldIsNullFirstWithNullDefault() {
        List<String> wrong = new ArrayList<>();
        forEachField((record, field) -> {
            Schema schema = field.schema();
            boolean nullable = schema.getType() == Schema.Type.UNION
                    && schema.getTypes().stream().anyMatch(branch -> branch.getType() == Schema.Type.NULL);
            if (nullable && (schema.getTypes().get(0).getType() != Schema.Type.NULL
                    || field.defaultVal() != JsonProperties.NULL_VALUE)) {
                wrong.add(record.getName() + "." + field.name());
            }
        });
        assertThat(wrong).as("nullable fields without null first and default null").isEmpty();
    }

    @Test
    void everyMapAndArrayFieldDefaultsToEmpty() {
        List<String> wrong = new ArrayList<>();
        forEachField((record, field) -> {
            Schema.Type type = field.schema().getType();
            if ((type == Schema.Type.MAP || type == Schema.Type.ARRAY) && !field.hasDefaultValue()) {
                wrong.add(record.getName() + "." + field.name());
            }
        });
        assertThat(wrong).as("collection fields without a default").isEmpty();
    }

    @Test
    void everyTimestampIsTimestampMillis() {
        List<String> wrong = new ArrayList<>();
        forEachField((record, field) -> {
            String path = record.getName() + "." + field.name();
            List<Schema> branches = field.schema().getType() == Schema.Type.UNION
                    ? field.schema().getTypes() : List.of(field.schema());
            boolean anyLogical = branches.stream().anyMatch(branch -> branch.getLogicalType() != null);
            boolean millis = branches.stream()
                    .anyMatch(branch -> branch.getLogicalType() == LogicalTypes.timestampMillis());
            if (path.equals(LENIENT_TIMESTAMP)) {
                return;
            }
            if ((field.name().endsWith("At") && !millis) || (anyLogical && !millis)) {
                wrong.add(path + " is " + field.schema());
            }
        });
        assertThat(wrong).as("timestamps not declared as timestamp-millis").isEmpty();
    }

    @Test
    void rawAuditOccurredAtAcceptsEpochNumbersAndIsoStrings() {
        Schema occurredAt = AuditRawEvent.getClassSchema().getField("occurredAt").schema();

        assertThat(occurredAt.getTypes()).extracting(Schema::getType)
                .containsExactly(Schema.Type.NULL, Schema.Type.LONG, Schema.Type.STRING);
    }

    @Test
    void everyEnumHasADefaultSymbolForSymbolsAddedLater() {
        List<String> withoutDefault = namedTypes().values().stream()
                .filter(type -> type.getType() == Schema.Type.ENUM && type.getEnumDefault() == null)
                .map(Schema::getFullName)
                .toList();
        assertThat(withoutDefault).isEmpty();
    }

    @Test
    void moneyIsALongInMinorUnits() {
        List<String> wrong = new ArrayList<>();
        forEachField((record, field) -> {
            if (field.name().endsWith("Minor") && field.schema().getType() != Schema.Type.LONG) {
                wrong.add(record.getName() + "." + field.name());
            }
        });
        assertThat(wrong).isEmpty();
        assertThat(OrderCommand.getClassSchema().getField("currency")).isNotNull();
        assertThat(OrderEvent.getClassSchema().getField("currency")).isNotNull();
    }

    @Test
    void everySchemaFileIsCoveredByTheseTests() throws IOException {
        Path avroDir = moduleDir().resolve("src/main/avro");
        List<String> fileTypes;
        try (Stream<Path> files = Files.list(avroDir)) {
            fileTypes = files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".avsc"))
                    .map(name -> name.substring(0, name.length() - ".avsc".length()))
                    .toList();
        }
        assertThat(fileTypes).hasSizeGreaterThanOrEqualTo(STREAM_SCHEMAS.size());
        assertThat(namedTypes().values()).extracting(Schema::getName).containsAll(fileTypes);
    }

    @ParameterizedTest
    @MethodSource("streamSchemas")
    void addingAnOptionalFieldStaysBackwardCompatible(Schema current) {
        Schema evolved = withField(current, "{\"name\":\"addedLater\",\"type\":[\"null\",\"string\"],"
                + "\"default\":null,\"doc\":\"added in a later version\"}");

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(evolved, current).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void addingARequiredFieldBreaksBackwardCompatibility() {
        Schema current = OrderCommand.getClassSchema();
        Schema evolved = withField(current, "{\"name\":\"addedLater\",\"type\":\"string\",\"doc\":\"no default\"}");

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(evolved, current).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void anOldReaderReadsAChannelAddedLaterAsUnknown() throws IOException {
        Schema current = NotificationChannel.getClassSchema();
        Schema evolved = Schema.createEnum(current.getName(), current.getDoc(), current.getNamespace(),
                Stream.concat(current.getEnumSymbols().stream(), Stream.of("SLACK")).toList(), "UNKNOWN");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<Object>(evolved).write(new GenericData.EnumSymbol(evolved, "SLACK"), encoder);
        encoder.flush();
        Object read = new GenericDatumReader<Object>(evolved, current)
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));

        assertThat(read).hasToString("UNKNOWN");
    }

    private static Schema withField(Schema schema, String fieldJson) {
        try {
            ObjectMapper json = new ObjectMapper();
            ObjectNode tree = (ObjectNode) json.readTree(schema.toString());
            tree.withArray("fields").add(json.readTree(fieldJson));
            return new Schema.Parser().parse(tree.toString());
        } catch (IOException e) {
            throw new IllegalStateException("could not add " + fieldJson + " to " + schema.getFullName(), e);
        }
    }

    private interface FieldVisitor {
        void visit(Schema record, Schema.Field field);
    }

    private static void forEachField(FieldVisitor visitor) {
        namedTypes().values().stream()
                .filter(type -> type.getType() == Schema.Type.RECORD)
                .forEach(record -> record.getFields().forEach(field -> visitor.visit(record, field)));
    }

    /** Every record and enum reachable from the stream schemas, by full name. */
    private static Map<String, Schema> namedTypes() {
        Map<String, Schema> found = new LinkedHashMap<>();
        STREAM_SCHEMAS.forEach(schema -> collect(schema, found));
        return found;
    }

    private static void collect(Schema schema, Map<String, Schema> found) {
        switch (schema.getType()) {
            case RECORD -> {
                if (found.putIfAbsent(schema.getFullName(), schema) == null) {
                    schema.getFields().forEach(field -> collect(field.schema(), found));
                }
            }
            case ENUM, FIXED -> found.putIfAbsent(schema.getFullName(), schema);
            case UNION -> schema.getTypes().forEach(branch -> collect(branch, found));
            case ARRAY -> collect(schema.getElementType(), found);
            case MAP -> collect(schema.getValueType(), found);
            default -> {
            }
        }
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }
}
