package dev.eventbackbone.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** A {@code --client-config} properties file: Kafka client security and registry client settings. */
final class ClientConfigFile {

    private ClientConfigFile() {
    }

    /** Its settings; none when no file was given. */
    static Map<String, String> load(Path file) throws IOException {
        Map<String, String> config = new TreeMap<>();
        if (file == null) {
            return config;
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        properties.stringPropertyNames().forEach(key -> config.put(key, properties.getProperty(key)));
        return config;
    }
}
