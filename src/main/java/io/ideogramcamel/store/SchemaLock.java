package io.ideogramcamel.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

/**
 * Instances started together on an empty PostgreSQL would race in Flyway: one creates the history
 * table, another finds it empty and refuses to baseline. One session-level advisory lock makes them
 * take turns; it is waited for at most the migration lock timeout (PostgreSQL's lock_timeout covers
 * advisory locks), so a long migration elsewhere makes this instance retry, never hang. H2 is one
 * process's file: nothing to take.
 */
final class SchemaLock implements AutoCloseable {

    /** Any fixed number shared by every instance of the bundle. */
    private static final long KEY = 0x1de0_9a3cL;

    private final Connection connection;

    private SchemaLock(Connection connection) {
        this.connection = connection;
    }

    static SchemaLock take(DataSource dataSource, SqlDialect dialect, long lockTimeoutMillis) throws SQLException {
        if (dialect != SqlDialect.POSTGRESQL) {
            return new SchemaLock(null);
        }
        Connection c = dataSource.getConnection();
        try (Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            // as Flyway's sessions: the wait is bounded by the lock timeout alone, not by the pool's
            // statement timeout (the store's, which may be a few milliseconds)
            for (String setting : dialect.migrationSessionSql(lockTimeoutMillis)) {
                s.execute(setting);
            }
            s.execute("SELECT pg_advisory_lock(" + KEY + ")");
            return new SchemaLock(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (connection == null) {
            return;
        }
        try (Connection c = connection; Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_unlock(" + KEY + ")");
        } catch (SQLException e) {
            // closing the session releases a session lock anyway
        }
    }
}
