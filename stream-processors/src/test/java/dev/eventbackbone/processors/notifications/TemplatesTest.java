package dev.eventbackbone.processors.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplatesTest {

    @TempDir
    Path dir;

    @Test
    void readsTenantDirectoriesAndTheirLocales() throws Exception {
        Files.createDirectories(dir.resolve("default"));
        Files.writeString(dir.resolve("default/welcome.mustache"), "Subject: Hi {{name}}\n\nHello {{name}}");
        Files.writeString(dir.resolve("default/welcome.de.mustache"), "Subject: Hallo {{name}}\n\nGuten Tag {{name}}");

        Templates templates = Templates.load(dir);

        assertThat(templates.render("acme", "welcome", "de-CH", Map.of("name", "Ann")))
                .hasValueSatisfying(rendered -> assertThat(rendered.subject()).isEqualTo("Hallo Ann"));
        assertThat(templates.render("acme", "welcome", null, Map.of("name", "Ann")))
                .hasValueSatisfying(rendered -> assertThat(rendered.body()).isEqualTo("Hello Ann"));
    }

    /** How a Kubernetes ConfigMap volume with items lays files out: links into a hidden, timestamped directory. */
    @Test
    void readsAConfigMapVolumeThroughItsLinksAndOnlyOnce() throws Exception {
        Path version = Files.createDirectories(dir.resolve("..2026_12_02_08_00_00.123/default"));
        Files.writeString(version.resolve("welcome.mustache"), "Subject: Hi {{name}}\n\nHello {{name}}");
        Files.createSymbolicLink(dir.resolve("..data"), dir.resolve("..2026_12_02_08_00_00.123").getFileName());
        Files.createSymbolicLink(dir.resolve("default"), Path.of("..data/default"));

        Templates templates = Templates.load(dir);

        assertThat(templates.render("acme", "welcome", null, Map.of("name", "Ann")))
                .hasValueSatisfying(rendered -> assertThat(rendered.subject()).isEqualTo("Hi Ann"));
    }
}
