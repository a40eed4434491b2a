package io.ideogramcamel.store;

import java.sql.SQLException;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's schema as versioned migrations ({@code db/migration/V<n>__*.sql}), applied by Flyway
 * once per version and recorded in {@code flyway_schema_history}. A start with nothing pending runs
 * no DDL at all, so a rolling deploy takes no table lock; a start with a pending migration takes
 * Flyway's own lock (instances started together wait for each other) and gives up on any table
 * lock it cannot get within the lock timeout, instead of queueing every webhook insert behind it.
 */
final class StoreMigrations {

    private static final Logger LOG = LoggerFactory.getLogger(StoreMigrations.class);
    static final String LOCATION = "classpath:db/migration";

    private final Flyway flyway;
    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final long lockTimeoutMillis;

    /**
     * @param lockTimeoutMillis the longest a migration statement waits for a table lock
     * @param extraLocations    more migration folders after the store's own (tests)
     */
    StoreMigrations(DataSource dataSource, SqlDialect dialect, long lockTimeoutMillis, String... extraLocations) {
        String[] locations = new String[extraLocations.length + 1];
        locations[0] = LOCATION;
        System.arraycopy(extraLocations, 0, locations, 1, extraLocations.length);
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.lockTimeoutMillis = lockTimeoutMillis;
        this.flyway = Flyway.configure(StoreMigrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations(locations)
                // stores made before versioned migrations hold version 1's tables already: V1 is
                // written with IF NOT EXISTS, so it runs over them harmlessly from a baseline of 0
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .initSql(String.join(";\n", dialect.migrationSessionSql(lockTimeoutMillis)))
                // a store already migrated by a newer release (a rollback) keeps working
                .ignoreMigrationPatterns("*:future")
                .load();
    }

    /**
     * Applies every pending migration.
     *
     * @return how many were applied (0 when the schema was current)
     * @throws StoreUnavailableException if a migration could not be applied (a lock not granted in
     *                                   time, the database away); the cause is logged here once (by the store when the database is away)
     */
    int migrate() {
        try (SchemaLock lock = SchemaLock.take(dataSource, dialect, lockTimeoutMillis)) {
            MigrateResult result = flyway.migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("Store schema migrated to version {} ({} migration(s) applied)", result.targetSchemaVersion,
                        result.migrationsExecuted);
            }
            return result.migrationsExecuted;
        } catch (FlywayException e) {
            if (StoreFailureText.isConnectionFailure(e)) {
                // the database is away: the store's own (rate-limited) line names the URL and reason
                LOG.debug("Store schema migration failed: {}", firstLine(e.getMessage()));
            } else {
                LOG.warn("Store schema migration failed: {}", firstLine(e.getMessage()));
            }
            throw new StoreUnavailableException("generation store schema could not be migrated", e);
        } catch (SQLException e) {
            // the lock was not granted within the lock timeout (another instance migrates) or the
            // database is away: the caller tries again later
            LOG.debug("Store schema lock not taken: {}", e.getSQLState());
            throw new StoreUnavailableException("generation store schema is being migrated elsewhere", e);
        }
    }

    /**
     * The versions this release would apply that the database does not have yet.
     *
     * @throws StoreUnavailableException if the database cannot be read
     */
    int pendingCount() {
        try {
            MigrationInfo[] pending = flyway.info().pending();
            return pending.length;
        } catch (FlywayException e) {
            LOG.warn("Store schema could not be read: {}", firstLine(e.getMessage()));
            throw new StoreUnavailableException("generation store schema could not be read", e);
        }
    }

    /* Flyway's messages run over many lines with SQL and hints; the first says what happened. */
    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
