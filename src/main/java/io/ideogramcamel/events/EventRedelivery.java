package io.ideogramcamel.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.ideogramcamel.store.LeasedRows;
import io.ideogramcamel.store.StoreAccess;
import io.ideogramcamel.store.StoreSql;

/**
 * Operator replays (POST /events/{id}/redeliver, POST /events/redeliver): deliveries that ended
 * (DEAD, or DELIVERED for a receiver that lost them) go back to PENDING, due now, with a fresh
 * attempt count. The event and its envelope are untouched, so the receiver sees the same event id.
 * last_status and last_error stay until the next attempt writes its own. A delivery someone holds a
 * live lease on is never touched: its sender is still at work and will write the outcome.
 */
public class EventRedelivery extends StoreAccess {

    /** Rows moved per statement in a bulk replay: short transactions, a bounded IN list. */
    static final int BATCH = 500;

    /* The rows a replay works on: ended ones. Only their "nobody holds a live lease" condition is used. */
    private static final LeasedRows ROWS = new LeasedRows("event_delivery", "delivery_id",
            "state IN ('DEAD', 'DELIVERED')");
    private static final String FREE = ROWS.free();

    private static final String BACK_TO_PENDING = "UPDATE event_delivery SET state = 'PENDING', attempts = 0, "
            + "next_attempt_at = " + StoreSql.NOW + ", lease_owner = NULL, lease_until = NULL, delivered_at = NULL, "
            + "updated_at = ? WHERE ";

    private static final String ONE_EVENT = BACK_TO_PENDING + "event_id = ? AND state IN ('DEAD', 'DELIVERED') AND "
            + FREE;

    private static final String EXISTS = "SELECT 1 FROM event_outbox WHERE event_id = ?";

    /*
     * Keyset over delivery_id: each batch starts after the last one seen, so a delivery replayed and
     * delivered again while the call runs is not taken a second time. (FREE's lease columns are the
     * delivery's: the outbox has none.)
     */
    private static final String NEXT_BATCH = "SELECT d.delivery_id FROM event_delivery d "
            + "JOIN event_outbox o ON o.event_id = d.event_id "
            + "WHERE d.state = ? AND o.created_at >= ? AND d.delivery_id > ? AND " + FREE
            + " ORDER BY d.delivery_id FETCH FIRST ? ROWS ONLY";

    private static final String BATCH_BACK = BACK_TO_PENDING + "state = ? AND " + FREE + " AND delivery_id IN (%s)";

    private int maxPerCall = 10_000;

    /** events.redeliver.max-per-call: the most deliveries one bulk call moves. */
    public void setMaxPerCall(int maxPerCall) {
        if (maxPerCall < 1) {
            throw new IllegalArgumentException("maxPerCall must be at least 1");
        }
        this.maxPerCall = maxPerCall;
    }

    /**
     * Every DEAD or DELIVERED delivery of one event back to PENDING.
     *
     * @return how many moved, or -1 for an unknown event
     */
    public int redeliver(String eventId) {
        try (Connection c = connection()) {
            try (PreparedStatement ps = prepare(c, EXISTS)) {
                ps.setString(1, eventId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return -1;
                    }
                }
            }
            try (PreparedStatement ps = prepare(c, ONE_EVENT)) {
                ps.setLong(1, System.currentTimeMillis());
                ps.setString(2, eventId);
                return ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw unavailable("redeliver an event", e);
        }
    }

    /**
     * The deliveries in {@code state} (DEAD or DELIVERED) of events created at or after
     * {@code sinceMillis} back to PENDING, in batches, at most events.redeliver.max-per-call.
     *
     * @return how many moved
     */
    public int redeliverSince(String state, long sinceMillis) {
        if (!"DEAD".equals(state) && !"DELIVERED".equals(state)) {
            throw new IllegalArgumentException("only DEAD or DELIVERED deliveries are replayed");
        }
        int moved = 0;
        long after = Long.MIN_VALUE;
        try (Connection c = connection()) {
            while (moved < maxPerCall) {
                List<Long> ids = nextBatch(c, state, sinceMillis, after, Math.min(BATCH, maxPerCall - moved));
                if (ids.isEmpty()) {
                    break;
                }
                moved += moveBack(c, state, ids);
                after = ids.get(ids.size() - 1);
            }
            return moved;
        } catch (SQLException e) {
            throw unavailable("redeliver events", e);
        }
    }

    private List<Long> nextBatch(Connection c, String state, long sinceMillis, long after, int limit)
            throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, NEXT_BATCH)) {
            ps.setString(1, state);
            ps.setLong(2, sinceMillis);
            ps.setLong(3, after);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /* Guarded again: a row claimed or changed since the batch was read is left alone. */
    private int moveBack(Connection c, String state, List<Long> ids) throws SQLException {
        try (PreparedStatement ps = prepare(c, BATCH_BACK.formatted(String.join(", ", Collections.nCopies(ids.size(), "?"))))) {
            ps.setLong(1, System.currentTimeMillis());
            ps.setString(2, state);
            int i = 3;
            for (long id : ids) {
                ps.setLong(i++, id);
            }
            return ps.executeUpdate();
        }
    }
}
