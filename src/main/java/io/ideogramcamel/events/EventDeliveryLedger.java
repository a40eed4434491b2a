package io.ideogramcamel.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import io.ideogramcamel.store.JdbcParameters;
import io.ideogramcamel.store.LeasedRows;
import io.ideogramcamel.store.StoreLedger;
import io.ideogramcamel.store.StoreSql;

/**
 * The dispatcher's side of the outbox: which PENDING deliveries are due, who is sending each one (a
 * lease, like the archive's), and how the attempt ended: DELIVERED, later (one more attempt counted,
 * due after a delay the caller computed), or DEAD. Every change after the claim is one UPDATE
 * guarded by the lease owner, so an instance whose lease was taken over changes nothing, and two
 * instances on one PostgreSQL never send one delivery at the same time.
 *
 * <p>Database failures throw {@link io.ideogramcamel.store.StoreUnavailableException}; the lease then
 * lapses on its own and the timer finds the delivery due again (at-least-once).
 */
public class EventDeliveryLedger extends StoreLedger {

    private static final LeasedRows ROWS = new LeasedRows("event_delivery", "delivery_id", "state = 'PENDING'");

    /* The submission's callback URL joins in by queued_id; a generation without one has none. */
    private static final String READ_CLAIMED = "SELECT d.event_id, o.event_type, d.destination, d.kind, d.attempts, "
            + "o.envelope, s.callback_url FROM event_delivery d JOIN event_outbox o ON o.event_id = d.event_id "
            + "LEFT JOIN submission s ON s.queued_id = o.queued_id "
            + "WHERE d.delivery_id = ? AND d.lease_owner = ?";

    private static final String DELIVERED = ROWS.finish(
            "state = 'DELIVERED', attempts = attempts + 1, last_status = ?, last_error = NULL, delivered_at = ?");

    private static final String DEAD = ROWS.finish("state = 'DEAD', attempts = attempts + 1, last_status = ?, "
            + "last_error = ?");

    private static final String LATER = ROWS.later("?", ", last_status = ?, last_error = ?");

    private int leaseSeconds = 60;

    /*
     * StoreLedger's retry ladder is not used here: the dispatch routes compute each delay with
     * RetrySchedule (events.retry.*) and pass it to retryLater. The zeros only satisfy the constructor.
     */
    private static final int UNUSED_RETRY_SECONDS = 0;

    public EventDeliveryLedger() {
        super(UNUSED_RETRY_SECONDS, UNUSED_RETRY_SECONDS);
    }

    /**
     * How long a claim lasts without renewal; the route keeps it alive while a send runs, so this
     * only has to cover a stalled database round. A dead instance's deliveries move on after it.
     */
    public void setLeaseSeconds(int leaseSeconds) {
        if (leaseSeconds < 1) {
            throw new IllegalArgumentException("leaseSeconds must be at least 1");
        }
        this.leaseSeconds = leaseSeconds;
    }

    @Override
    protected long leaseMillis() {
        return leaseSeconds * 1000L;
    }

    @Override
    protected String releaseEarlierLeasesSql() {
        return ROWS.releaseEarlier();
    }

    /** Ids of PENDING deliveries due now and not leased by a live worker, the longest due first. */
    public List<Long> findDue(int limit) {
        return findDue(ROWS.findDue(), limit, "list due event deliveries").stream().map(Long::valueOf).toList();
    }

    /**
     * Claims a due PENDING delivery for this worker until now + leaseSeconds.
     *
     * @return the claim, or null: unknown id, not PENDING any more, leased by a live worker, or not due
     */
    public DeliveryClaim claim(long deliveryId) {
        String owner = newLeaseOwner("evt");
        try (Connection c = connection()) {
            try (PreparedStatement ps = prepare(c, ROWS.claim(""))) {
                ps.setString(1, owner);
                ps.setLong(2, leaseMillis());
                ps.setLong(3, localNow());
                ps.setLong(4, deliveryId);
                if (ps.executeUpdate() == 0) {
                    return null;
                }
            }
            return readClaim(c, deliveryId, owner);
        } catch (SQLException e) {
            throw unavailable("claim an event delivery", e);
        }
    }

    private DeliveryClaim readClaim(Connection c, long deliveryId, String owner) throws SQLException {
        try (PreparedStatement ps = prepare(c, READ_CLAIMED)) {
            ps.setLong(1, deliveryId);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // taken over already: only a lease shorter than this round trip gets here
                    return null;
                }
                return new DeliveryClaim(deliveryId, rs.getString(1), rs.getString(2), rs.getString(3),
                        EventDestinations.Kind.valueOf(rs.getString(4)), rs.getInt(5), rs.getString(6), owner,
                        rs.getString(7));
            }
        }
    }

    /** The heartbeat's renewal; true while the caller still holds the lease on a PENDING row. */
    @Override
    public boolean renewLease(String deliveryId, String leaseOwner) {
        StoreSql.requireOwner(leaseOwner);
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, ROWS.renew())) {
            ps.setLong(1, leaseMillis());
            ps.setLong(2, localNow());
            ps.setLong(3, Long.parseLong(deliveryId));
            ps.setString(4, leaseOwner);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw unavailable("renew an event delivery lease", e);
        }
    }

    /**
     * The destination took it (a 2xx, or an endpoint that did not throw): DELIVERED, attempt counted.
     *
     * @param status the HTTP status, or null for an endpoint
     * @return false when the caller no longer holds the lease (nothing changed)
     */
    public boolean markDelivered(DeliveryClaim claim, Integer status) {
        long now = localNow();
        return update(DELIVERED, "mark an event delivered", claim, ps -> {
            JdbcParameters.setNullableInt(ps, 1, status);
            ps.setLong(2, now);
            return 3;
        });
    }

    /**
     * A failed attempt to try again: attempt counted, due after {@code delayMillis} on the database's
     * clock, the status and error token kept for the operator.
     *
     * @param errorToken a fixed token ({@code http_500}, {@code connection_failed}), never exception text
     */
    public boolean retryLater(DeliveryClaim claim, long delayMillis, Integer status, String errorToken) {
        StoreSql.requireReason(errorToken);
        if (delayMillis < 0) {
            throw new IllegalArgumentException("delayMillis must not be negative");
        }
        return update(LATER, "postpone an event delivery", claim, ps -> {
            JdbcParameters.setNullableInt(ps, 1, status);
            ps.setString(2, errorToken);
            ps.setLong(3, delayMillis);
            return 4;
        });
    }

    /** No more attempts (the last one failed, a 410, a refused host): DEAD, attempt counted. */
    public boolean markDead(DeliveryClaim claim, Integer status, String errorToken) {
        StoreSql.requireReason(errorToken);
        return update(DEAD, "mark an event delivery dead", claim, ps -> {
            JdbcParameters.setNullableInt(ps, 1, status);
            ps.setString(2, errorToken);
            return 3;
        });
    }

    private interface Parameters {
        /** Sets the statement's own parameters; returns the index of the next one. */
        int set(PreparedStatement ps) throws SQLException;
    }

    /* The tail of every guarded statement: updated_at, key, lease owner. */
    private boolean update(String sql, String what, DeliveryClaim claim, Parameters parameters) {
        StoreSql.requireOwner(claim.leaseOwner());
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, sql)) {
            int next = parameters.set(ps);
            ps.setLong(next, localNow());
            ps.setLong(next + 1, claim.deliveryId());
            ps.setString(next + 2, claim.leaseOwner());
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw unavailable(what, e);
        }
    }
}
