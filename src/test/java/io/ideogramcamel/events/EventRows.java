package io.ideogramcamel.events;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-only writer and reader of the outbox tables with plain JDBC on its own connections (the real
 * writer belongs to the flows that change state): an event, its deliveries, a submission with a
 * callback URL, and a delivery row as the store holds it.
 */
public final class EventRows {

    private final String jdbcUrl;
    private final String username;

    public EventRows(String jdbcUrl, String username) {
        this.jdbcUrl = jdbcUrl;
        this.username = username;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, username, "");
    }

    /** The envelope as the outbox would store it. */
    public static String envelope(String eventId, String type) {
        return "{\"id\":\"" + eventId + "\",\"type\":\"" + type + "\",\"timestamp\":\"2026-11-30T12:00:00Z\","
                + "\"data\":{\"generation_id\":\"gen-" + eventId + "\",\"metadata\":{\"order\":\"42\"}}}";
    }

    /** An event and one PENDING delivery per destination, due now; the delivery ids in that order. */
    public long[] event(String eventId, String queuedId, Map<String, EventDestinations.Kind> destinations)
            throws SQLException {
        long now = System.currentTimeMillis();
        long[] ids = new long[destinations.size()];
        try (Connection c = connect()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_outbox (event_id, event_type, "
                    + "generation_id, queued_id, envelope, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, eventId);
                ps.setString(2, "generation.completed");
                ps.setString(3, "gen-" + eventId);
                ps.setString(4, queuedId);
                ps.setString(5, envelope(eventId, "generation.completed"));
                ps.setLong(6, now);
                ps.executeUpdate();
            }
            int i = 0;
            for (Map.Entry<String, EventDestinations.Kind> d : destinations.entrySet()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_delivery (event_id, destination, "
                        + "kind, state, attempts, next_attempt_at, updated_at) VALUES (?, ?, ?, 'PENDING', 0, ?, ?)",
                        new String[] { "delivery_id" })) {
                    ps.setString(1, eventId);
                    ps.setString(2, d.getKey());
                    ps.setString(3, d.getValue().name());
                    ps.setLong(4, now - 1);
                    ps.setLong(5, now);
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        ids[i++] = keys.getLong(1);
                    }
                }
            }
        }
        return ids;
    }

    /** One event with one delivery; its id. */
    public long delivery(String eventId, String destination, EventDestinations.Kind kind) throws SQLException {
        return event(eventId, null, Map.of(destination, kind))[0];
    }

    /** A submission that ended SENT, with the caller's callback URL. */
    public void submission(String queuedId, String callbackUrl) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("INSERT INTO submission (queued_id, request, image_count, "
                        + "state, callback_url, created_at, updated_at) VALUES (?, '{}', 1, 'SENT', ?, 0, 0)")) {
            ps.setString(1, queuedId);
            ps.setString(2, callbackUrl);
            ps.executeUpdate();
        }
    }

    /** The delivery row: state, attempts, next_attempt_at, lease_owner, lease_until, last_status, last_error, delivered_at. */
    public Map<String, Object> row(long deliveryId) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("SELECT state, attempts, next_attempt_at, lease_owner, "
                        + "lease_until, last_status, last_error, delivered_at, destination FROM event_delivery "
                        + "WHERE delivery_id = ?")) {
            ps.setLong(1, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(java.util.Locale.ROOT),
                            v instanceof Number n && !(v instanceof Integer) ? n.longValue() : v);
                }
                return row;
            }
        }
    }

    public String state(long deliveryId) throws SQLException {
        return (String) row(deliveryId).get("state");
    }

    public void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The database's clock now (epoch ms), as the ledger's due times use it. */
    public long databaseNow() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + io.ideogramcamel.store.StoreSql.NOW)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
