package io.ideogramcamel.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every user of the store's pool shares, wherever its feature lives: a connection, statements
 * with the statement timeout, and the one way a failed call becomes {@link StoreUnavailableException}
 * (the driver's reason logged here, a fixed message for the caller). Public with public setters so
 * the YAML {@code beans:} can set the inherited properties.
 */
public abstract class StoreAccess {

    private final Logger log = LoggerFactory.getLogger(getClass());
    private GenerationStore store;
    private int queryTimeoutSeconds = 10;

    public void setStore(GenerationStore store) {
        this.store = store;
    }

    /**
     * How long one statement may wait on PostgreSQL (a row lock, a stalled server) before the call
     * fails as unavailable. Not applied on H2 (see {@link StoreSql#prepare}).
     */
    public void setQueryTimeoutSeconds(int queryTimeoutSeconds) {
        if (queryTimeoutSeconds < 0) {
            throw new IllegalArgumentException("queryTimeoutSeconds must not be negative");
        }
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    protected Connection connection() throws SQLException {
        return requireStore().connection();
    }

    protected PreparedStatement prepare(Connection c, String sql) throws SQLException {
        return StoreSql.prepare(requireStore(), c, sql, queryTimeoutSeconds);
    }

    protected GenerationStore requireStore() {
        if (store == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " needs a store");
        }
        return store;
    }

    protected StoreUnavailableException unavailable(String what, SQLException e) {
        return StoreSql.unavailable(requireStore(), what, e);
    }

    protected void rollbackQuietly(Connection c) {
        StoreSql.rollbackQuietly(log, c);
    }

    /** Sets a statement's parameters. */
    @FunctionalInterface
    protected interface Parameters {
        void set(PreparedStatement ps) throws SQLException;
    }

    /** What is written with a change, on the change's connection and in its transaction. */
    @FunctionalInterface
    protected interface AlongWith {
        void write(Connection c) throws SQLException;
    }

    /**
     * One guarded statement on {@code c} and, only when it changed a row, {@code alongWith} in the
     * same transaction: a transition and the event that must exist exactly when it does.
     *
     * @return whether the statement changed a row (false: nothing was written)
     */
    protected boolean changeAlongWith(Connection c, String sql, Parameters parameters, AlongWith alongWith)
            throws SQLException {
        return inTransaction(c, () -> {
            try (PreparedStatement ps = prepare(c, sql)) {
                parameters.set(ps);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            alongWith.write(c);
            return true;
        });
    }

    /** Work on one connection that must commit whole or not at all. */
    @FunctionalInterface
    protected interface Transaction<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} as one transaction on {@code c}: committed when it returns, rolled back when
     * it throws. A state change and what must exist exactly when it does (its event in the outbox)
     * go through here. The pool hands out connections in autocommit mode and resets them on return.
     */
    protected <T> T inTransaction(Connection c, Transaction<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        }
    }
}
