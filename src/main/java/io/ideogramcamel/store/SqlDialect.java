package io.ideogramcamel.store;

import java.util.List;
import java.util.Locale;

/**
 * The few places where H2 and PostgreSQL need different SQL. Everything else (the schema included)
 * is written once in SQL both accept.
 */
public enum SqlDialect {

    /**
     * H2 2.3 has no {@code ON CONFLICT} outside its PostgreSQL compatibility mode (and even there not
     * with a conflict target), so "insert if absent" is an {@code INSERT ... SELECT ... WHERE NOT
     * EXISTS}. That check-then-insert is safe because an embedded H2 file belongs to one process and
     * one writer thread does all accepts; a racing insert of the same id from another thread in this
     * process ends in a unique-key violation, which the writer answers by redoing its rows one by one.
     */
    H2("INSERT INTO generation (generation_id, state, source, created, images, attempts, "
            + "received_at, next_attempt_at, updated_at, usage_cost_usd_micros) "
            + "SELECT ?, 'RECEIVED', ?, ?, ?, 0, ?, " + StoreSql.DUE_NOW_AT_THE_LATEST + ", ?, CAST(? AS BIGINT) "
            + "WHERE NOT EXISTS (SELECT 1 FROM generation WHERE generation_id = ?)", true),

    /**
     * {@code ON CONFLICT DO NOTHING} is decided by the unique index itself, so it stays right when
     * several bundle instances accept the same id at once: the second waits for the first to commit
     * and then inserts nothing.
     */
    POSTGRESQL("INSERT INTO generation (generation_id, state, source, created, images, attempts, "
            + "received_at, next_attempt_at, updated_at, usage_cost_usd_micros) "
            + "VALUES (?, 'RECEIVED', ?, ?, ?, 0, ?, " + StoreSql.DUE_NOW_AT_THE_LATEST + ", ?, CAST(? AS BIGINT)) "
            + "ON CONFLICT (generation_id) DO NOTHING", false);

    private final String insertReceivedIfAbsent;
    private final boolean idRepeatedLast;

    SqlDialect(String insertReceivedIfAbsent, boolean idRepeatedLast) {
        this.insertReceivedIfAbsent = insertReceivedIfAbsent;
        this.idRepeatedLast = idRepeatedLast;
    }

    /**
     * Parameters: 1 generation_id, 2 source, 3 created, 4 images, 5 received_at, 6 next_attempt_at,
     * 7 updated_at, 8 usage_cost_usd_micros (nullable), and for H2 9 generation_id again. Update count 1 = inserted, 0 = already there.
     */
    public String insertReceivedIfAbsent() {
        return insertReceivedIfAbsent;
    }

    /** Whether {@link #insertReceivedIfAbsent()} takes the id a second time as parameter 9. */
    public boolean idRepeatedLast() {
        return idRepeatedLast;
    }

    /**
     * The driver class, named so HikariCP loads it itself: under Camel JBang ({@code --dep=mvn:...})
     * the driver jar sits in a class loader DriverManager never searches ("No suitable driver").
     */
    String driverClassName() {
        return this == H2 ? "org.h2.Driver" : "org.postgresql.Driver";
    }

    /** Run on every pooled connection: no statement of the store runs unbounded. */
    String queryTimeoutSql(long millis) {
        return this == H2 ? "SET QUERY_TIMEOUT " + millis : "SET statement_timeout = " + millis;
    }

    /** The longest a statement waits for a lock (migrations: a table lock) before it fails. */
    String lockTimeoutSql(long millis) {
        return this == H2 ? "SET LOCK_TIMEOUT " + millis : "SET lock_timeout = " + millis;
    }

    /**
     * A migration session's settings: a lock (a table lock, the schema lock) is waited for at most
     * the lock timeout, and no statement is cut off by the store's statement timeout (building an
     * index over a large table takes as long as it takes).
     */
    List<String> migrationSessionSql(long lockTimeoutMillis) {
        return List.of(lockTimeoutSql(lockTimeoutMillis), queryTimeoutSql(0));
    }

    static SqlDialect fromJdbcUrl(String jdbcUrl) {
        String url = jdbcUrl == null ? "" : jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        // Only the URL's scheme is named: the rest may hold credentials.
        throw new IllegalArgumentException("store.jdbc-url must start with jdbc:h2: or jdbc:postgresql:");
    }
}
