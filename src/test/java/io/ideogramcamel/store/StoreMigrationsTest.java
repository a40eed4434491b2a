package io.ideogramcamel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Versioned migrations on the real databases: a store made before them is taken over, a start with
 * nothing pending takes no table lock, a pending migration gives up on a lock it cannot get instead of
 * queueing every insert behind it, and a store told not to migrate waits for the separate step.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreMigrationsTest {

    private static final String IMAGES = AbstractGenerationStoreTest.IMAGES;

    @Test
    void aStoreCreatedBeforeMigrationsIsTakenOverWithItsRows() throws Exception {
        try (H2Database db = new H2Database()) {
            // what every earlier release ran at each start: version 1's text, statement by statement
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                for (String sql : version1Statements()) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO generation (generation_id, state, updated_at) VALUES ('old-row', 'ARCHIVED', 1)");
            }
            GenerationStore store = start(db.jdbcUrl(), true);
            try {
                assertThat(store.find("old-row")).isPresent();
                assertThat(store.acceptReceived("new-row", "webhook", null, IMAGES)).isTrue();
                assertThat(appliedVersions(db)).contains("1", "2");
            } finally {
                store.stop();
            }
        }
    }

    @Test
    void aStartWithNothingPendingTakesNoTableLockWhileATransactionReadsTheTable() throws Exception {
        try (PostgresDatabase db = new PostgresDatabase()) {
            GenerationStore first = start(db.jdbcUrl(), true);
            assertThat(first.acceptReceived("before", "webhook", null, IMAGES)).isTrue();
            first.stop();

            // a long report holds ACCESS SHARE on generation: any ALTER TABLE would queue behind it,
            // and every insert behind the ALTER
            try (Connection reader = db.connect()) {
                reader.setAutoCommit(false);
                try (Statement s = reader.createStatement()) {
                    s.execute("SELECT COUNT(*) FROM generation");
                }
                GenerationStore restarted = start(db.jdbcUrl(), true);
                try {
                    assertThat(restarted.acceptReceived("during-report", "webhook", null, IMAGES)).isTrue();
                } finally {
                    restarted.stop();
                    reader.rollback();
                }
            }
        }
    }

    @Test
    void aPendingMigrationGivesUpOnALockItCannotGetAndAppliesOnceItCan() throws Exception {
        try (PostgresDatabase db = new PostgresDatabase(); HikariDataSource ds = pool(db)) {
            new StoreMigrations(ds, SqlDialect.POSTGRESQL, 500).migrate();
            StoreMigrations later = new StoreMigrations(ds, SqlDialect.POSTGRESQL, 500, "classpath:db/test-migration");
            try (Connection reader = db.connect()) {
                reader.setAutoCommit(false);
                try (Statement s = reader.createStatement()) {
                    s.execute("SELECT COUNT(*) FROM generation");
                }
                assertThatThrownBy(later::migrate).isInstanceOf(StoreUnavailableException.class)
                        .hasMessageNotContaining("generation (");
                reader.rollback();
            }
            assertThat(later.migrate()).isEqualTo(1);
            assertThat(later.pendingCount()).isZero();
        }
    }

    @Test
    void aStoreNotAllowedToMigrateStaysUnavailableUntilTheSeparateStepRan() throws Exception {
        try (PostgresDatabase db = new PostgresDatabase()) {
            GenerationStore store = start(db.jdbcUrl(), false);
            try {
                assertThat(store.isAvailable()).isFalse();
                assertThatThrownBy(() -> store.acceptReceived("too-early", "webhook", null, IMAGES))
                        .isInstanceOf(StoreUnavailableException.class);

                assertThat(store.migrate()).isGreaterThanOrEqualTo(2);

                assertThat(store.isAvailable()).isTrue();
                assertThat(store.acceptReceived("after-step", "webhook", null, IMAGES)).isTrue();
            } finally {
                store.stop();
            }
        }
    }

    @Test
    void migrationsAreNotCutOffByTheStoresStatementTimeout() throws Exception {
        try (PostgresDatabase db = new PostgresDatabase()) {
            GenerationStore store = new GenerationStore();
            store.setJdbcUrl(db.jdbcUrl());
            store.setUsername(db.username());
            // far below what building the schema takes: an index over a large table would be cancelled
            store.setQueryTimeoutMillis(1);

            assertThat(store.migrate()).isGreaterThanOrEqualTo(4);
            assertThat(appliedVersions(db)).contains("1", "2", "3", "4");
        }
    }

    @Test
    void everyStatementOfTheStoreHasATimeout() throws Exception {
        try (PostgresDatabase db = new PostgresDatabase()) {
            GenerationStore store = new GenerationStore();
            store.setJdbcUrl(db.jdbcUrl());
            store.setUsername(db.username());
            store.setQueryTimeoutMillis(1500);
            store.start();
            try (Connection c = store.connection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SHOW statement_timeout")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("1500ms");
            } finally {
                store.stop();
            }
        }
    }

    private static GenerationStore start(String jdbcUrl, boolean migrateAtStart) {
        GenerationStore store = new GenerationStore();
        store.setJdbcUrl(jdbcUrl);
        store.setUsername(jdbcUrl.startsWith("jdbc:h2:") ? "sa" : "postgres");
        store.setConnectionTimeoutMillis(2000);
        store.setMigrateAtStart(migrateAtStart);
        store.start();
        return store;
    }

    private static HikariDataSource pool(TestDatabase db) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.username());
        config.setMaximumPoolSize(3);
        return new HikariDataSource(config);
    }

    private static java.util.List<String> appliedVersions(TestDatabase db) throws SQLException {
        java.util.List<String> versions = new java.util.ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\"")) {
            while (rs.next()) {
                versions.add(rs.getString(1));
            }
        }
        return versions;
    }

    /* The old loader: comments dropped, statements split on semicolons. */
    private static java.util.List<String> version1Statements() throws IOException {
        String text;
        try (InputStream in = StoreMigrationsTest.class.getResourceAsStream("/db/migration/V1__generation_store.sql")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n")) {
            int comment = line.indexOf("--");
            sql.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
        }
        java.util.List<String> statements = new java.util.ArrayList<>();
        for (String statement : sql.toString().split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement.trim());
            }
        }
        return statements;
    }
}
