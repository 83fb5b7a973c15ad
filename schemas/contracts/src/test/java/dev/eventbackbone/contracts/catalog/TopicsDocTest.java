package dev.eventbackbone.contracts.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/topics.md is the contract users read, so it must say what the catalog says. */
class TopicsDocTest {

    private static final List<String> COLUMNS = List.of("Topic", "Key", "Value schema", "Partitions",
            "Replication / min ISR", "Retention", "Cleanup policy", "Owner (writer)", "Consumers");

    private static String document;
    private static Map<String, Map<String, String>> rowsByTopic;

    @BeforeAll
    static void readDocument() throws IOException {
        Path moduleDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        document = Files.readString(moduleDir.resolve("../../docs/topics.md").normalize());
        rowsByTopic = topicTable(document);
    }

    @Test
    void tableListsExactlyTheCatalogTopics() {
        assertThat(rowsByTopic.keySet())
                .containsExactlyInAnyOrderElementsOf(TopicCatalog.all().stream().map(TopicSpec::name).toList());
    }

    @Test
    void everyRowSaysWhatTheCatalogSays() {
        assertThat(TopicCatalog.all()).allSatisfy(spec -> {
            Map<String, String> row = rowsByTopic.get(spec.name());
            assertThat(row).as("row of %s", spec.name()).isNotNull();
            assertThat(row).as("row of %s", spec.name())
                    .containsEntry("Key", spec.keyDescription())
                    .containsEntry("Value schema", spec.valueSchema().getName())
                    .containsEntry("Partitions", Integer.toString(spec.partitions()))
                    .containsEntry("Replication / min ISR",
                            spec.replicationFactor() + " / " + spec.configs().get("min.insync.replicas"))
                    .containsEntry("Retention", spec.retention().toString())
                    .containsEntry("Cleanup policy", spec.cleanupPolicy().configValue())
                    .containsEntry("Owner (writer)", spec.owner())
                    .containsEntry("Consumers", String.join(", ", spec.consumers()));
        });
    }

    @Test
    void documentDescribesWireFormatSubjectsKeysHeadersAndTheRegistryTopic() {
        assertThat(document).contains("_schemas", "magic byte", "<topic>-value", "TopicNameStrategy",
                "`event-id`", "`tenant`", "`source`", "`traceparent`");
    }

    /** Rows of the table whose header starts with "| Topic |", by topic, each cell under its column name. */
    private static Map<String, Map<String, String>> topicTable(String markdown) {
        List<String> lines = markdown.lines().toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("| Topic |")) {
                header = i;
                break;
            }
        }
        assertThat(header).as("a table starting with '| Topic |' in docs/topics.md").isNotNegative();
        assertThat(cells(lines.get(header))).containsExactlyElementsOf(COLUMNS);

        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            List<String> cells = cells(lines.get(i));
            assertThat(cells).as("cells of %s", lines.get(i)).hasSameSizeAs(COLUMNS);
            Map<String, String> row = new LinkedHashMap<>();
            for (int column = 0; column < COLUMNS.size(); column++) {
                row.put(COLUMNS.get(column), cells.get(column));
            }
            rows.put(row.get("Topic"), row);
        }
        return rows;
    }

    private static List<String> cells(String line) {
        String inner = line.trim().substring(1, line.trim().length() - 1);
        return Arrays.stream(inner.split("\\|")).map(cell -> cell.replace("`", "").trim()).toList();
    }
}
