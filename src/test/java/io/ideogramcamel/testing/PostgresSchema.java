package io.ideogramcamel.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A schema of its own in the PostgreSQL at 127.0.0.1:5432 (database test, trust auth), dropped on
 * close: tests and bundle processes that share it see each other's rows and nobody else's.
 */
public final class PostgresSchema implements AutoCloseable {

    public static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String USER = "postgres";

    private final String name = "t_" + UUID.randomUUID().toString().replace("-", "");

    public PostgresSchema() throws SQLException {
        execute("CREATE SCHEMA " + name);
    }

    public String name() {
        return name;
    }

    /** The schema reached through another port (a {@link TcpForwarder}). */
    public String jdbcUrlThroughPort(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/test?currentSchema=" + name;
    }

    public String jdbcUrl() {
        return jdbcUrlThroughPort(5432);
    }

    @Override
    public void close() throws SQLException {
        execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
