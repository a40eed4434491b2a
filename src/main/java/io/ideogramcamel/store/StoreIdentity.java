package io.ideogramcamel.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;


/**
 * The store's one-row memory of the Ideogram API it was used with (table {@code store_identity}).
 * Only the SQL: {@link ApiUrlGuard} decides what a difference means.
 */
public class StoreIdentity extends StoreAccess {

    private static final String READ = "SELECT api_url FROM store_identity WHERE id = 1";
    /* Two instances on a fresh PostgreSQL may both try: the primary key lets one win. */
    private static final String INSERT = "INSERT INTO store_identity (id, api_url, recorded_at) SELECT 1, ?, ? "
            + "WHERE NOT EXISTS (SELECT 1 FROM store_identity WHERE id = 1)";
    private static final String REPLACE = "UPDATE store_identity SET api_url = ?, recorded_at = ? WHERE id = 1";

    /**
     * The API URL the store remembers; empty for a store that never called Ideogram.
     *
     * @throws StoreUnavailableException if the store cannot be read
     */
    public Optional<String> apiUrl() {
        try (Connection c = connection()) {
            return read(c);
        } catch (SQLException e) {
            throw unavailable("read the Ideogram API URL it remembers", e);
        }
    }

    /**
     * Records {@code apiUrl} unless the store remembers one already.
     *
     * @return the URL the store remembers now: {@code apiUrl}, or the one recorded before
     * @throws StoreUnavailableException if the store cannot be written
     */
    public String recordIfAbsent(String apiUrl) {
        try (Connection c = connection()) {
            try (PreparedStatement ps = prepare(c, INSERT)) {
                ps.setString(1, apiUrl);
                ps.setLong(2, System.currentTimeMillis());
                ps.executeUpdate();
            } catch (SQLException e) {
                if (!StoreSql.isConstraintViolation(e)) {
                    throw e;
                }
                // another instance recorded one at the same moment: its URL is the store's
            }
            return read(c).orElseThrow(() -> new SQLException("store_identity row missing after insert"));
        } catch (SQLException e) {
            throw unavailable("record the Ideogram API URL", e);
        }
    }

    /**
     * Replaces the remembered URL (the operator allowed the change).
     *
     * @throws StoreUnavailableException if the store cannot be written
     */
    public void replace(String apiUrl) {
        try (Connection c = connection(); PreparedStatement ps = prepare(c, REPLACE)) {
            ps.setString(1, apiUrl);
            ps.setLong(2, System.currentTimeMillis());
            if (ps.executeUpdate() == 0) {
                recordIfAbsent(apiUrl);
            }
        } catch (SQLException e) {
            throw unavailable("replace the Ideogram API URL", e);
        }
    }

    private Optional<String> read(Connection c) throws SQLException {
        try (PreparedStatement ps = prepare(c, READ); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }
}
