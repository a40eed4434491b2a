package io.ideogramcamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

import io.ideogramcamel.testing.PostgresSchema;
import org.junit.jupiter.api.Test;

/** The separate migration step reads the bundle's own settings, migrates, and says so by exit code. */
class MigrateOnlyTest {

    @Test
    void migratesTheStoreNamedByTheSettingsAndExitsZero() throws Exception {
        try (PostgresSchema schema = new PostgresSchema()) {
            Properties settings = new Properties();
            settings.setProperty("store.jdbc-url", schema.jdbcUrl());
            settings.setProperty("store.username", PostgresSchema.USER);

            assertThat(MigrateOnly.run(IdeogramCamelMain.PROPERTY_LOCATIONS, settings)).isZero();

            try (Connection c = DriverManager.getConnection(schema.jdbcUrl(), PostgresSchema.USER, "");
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM flyway_schema_history WHERE success")) {
                rs.next();
                assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(2);
            }
            // run again: nothing pending, still 0
            assertThat(MigrateOnly.run(IdeogramCamelMain.PROPERTY_LOCATIONS, settings)).isZero();
        }
    }

    @Test
    void aStoreThatCannotBeReachedExitsOne() {
        Properties settings = new Properties();
        // port 1 on loopback: refused at once
        settings.setProperty("store.jdbc-url", "jdbc:postgresql://127.0.0.1:1/test");
        settings.setProperty("store.connection-timeout-millis", "500");

        assertThat(MigrateOnly.run(IdeogramCamelMain.PROPERTY_LOCATIONS, settings)).isEqualTo(1);
    }
}
