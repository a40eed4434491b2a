package io.ideogramcamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/**
 * The demo profile keeps to itself: its store and images live under data/demo/, apart from a real
 * run's data/, so a request queued by one is never sent by the other, and it listens on loopback.
 */
class DemoProfileTest {

    private static Properties load(String file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(file))) {
            properties.load(reader);
        }
        return properties;
    }

    @Test
    void theDemoHasItsOwnDataDirectoryAndStaysOnLoopback() throws IOException {
        Properties demo = load("application-demo.properties");
        Properties defaults = load("application.properties");

        assertThat(demo.getProperty("store.jdbc-url")).isEqualTo("jdbc:h2:file:./data/demo/ideogram;WRITE_DELAY=0");
        assertThat(demo.getProperty("storage.dir")).isEqualTo("data/demo/images");
        assertThat(defaults.getProperty("store.jdbc-url")).doesNotContain("data/demo/");
        assertThat(defaults.getProperty("storage.dir")).doesNotStartWith("data/demo");
        assertThat(demo.getProperty("camel.server.host")).isEqualTo("127.0.0.1");
    }
}
