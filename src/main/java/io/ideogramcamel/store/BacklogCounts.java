package io.ideogramcamel.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few numbers an operator watches to see work piling up: each is one statement on an index
 * (state first), so asking them every few seconds stays cheap however large the tables grow.
 * In-flight images are counted by the submission ledger's own budget query.
 */
public class BacklogCounts {

    private static final Logger LOG = LoggerFactory.getLogger(BacklogCounts.class);

    /* (state, arrival) index */
    private static final String QUEUED = "SELECT COUNT(*) FROM submission WHERE state = 'QUEUED'";
    /* (state, next_attempt_at) index */
    private static final String RECEIVED = "SELECT COUNT(*) FROM generation WHERE state = 'RECEIVED'";
    /* (state, received_at) index; received_at is written on the receiving instance's clock */
    private static final String OLDEST_RECEIVED = "SELECT MIN(received_at) FROM generation WHERE state = 'RECEIVED'";
    /* (state, next_attempt_at) index, due on the database's clock like the poller's own query */
    private static final String POLLS_DUE = "SELECT COUNT(*) FROM generation WHERE state = 'SUBMITTED' "
            + "AND next_attempt_at <= " + StoreSql.NOW;

    /* (state, next_attempt_at) index of event_delivery */
    private static final String EVENTS_PENDING = "SELECT COUNT(*) FROM event_delivery WHERE state = 'PENDING'";
    private static final String EVENTS_DEAD = "SELECT COUNT(*) FROM event_delivery WHERE state = 'DEAD'";

    private GenerationStore store;
    private int queryTimeoutSeconds = 5;

    public void setStore(GenerationStore store) {
        this.store = store;
    }

    /** A gauge waits no longer than this for its number (PostgreSQL; H2 has no statement timeout). */
    public void setQueryTimeoutSeconds(int queryTimeoutSeconds) {
        if (queryTimeoutSeconds < 1) {
            throw new IllegalArgumentException("queryTimeoutSeconds must be at least 1");
        }
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    /** Submissions waiting in state QUEUED. @throws StoreUnavailableException if the database cannot be used */
    public long queuedSubmissions() {
        return single(QUEUED, "count queued submissions");
    }

    /** Generations RECEIVED and not yet archived (nor failed). */
    public long archiveBacklog() {
        return single(RECEIVED, "count the archive backlog");
    }

    /** received_at (epoch ms) of the oldest RECEIVED generation, or -1 when there is none. */
    public long oldestReceivedAt() {
        return single(OLDEST_RECEIVED, "read the oldest received generation", -1);
    }

    /** SUBMITTED generations whose next poll is due now. */
    public long pollsDue() {
        return single(POLLS_DUE, "count due polls");
    }

    /** Event deliveries (one per event and destination) still to be made. */
    public long pendingEventDeliveries() {
        return single(EVENTS_PENDING, "count pending event deliveries");
    }

    /** Event deliveries given up, waiting for an operator's redeliver. */
    public long deadEventDeliveries() {
        return single(EVENTS_DEAD, "count dead event deliveries");
    }

    private long single(String sql, String what) {
        return single(sql, what, 0);
    }

    private long single(String sql, String what, long whenNull) {
        if (store == null) {
            throw new IllegalStateException("BacklogCounts needs a store");
        }
        try (Connection c = store.connection();
                PreparedStatement ps = StoreSql.prepare(store, c, sql, queryTimeoutSeconds);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            long value = rs.getLong(1);
            return rs.wasNull() ? whenNull : value;
        } catch (SQLException e) {
            // the gauges' caller says once that the store is down; a WARN per gauge per tick would drown it
            LOG.debug("Store could not {}: {} (SQLState {})", what, e.getMessage(), e.getSQLState());
            throw new StoreUnavailableException("generation store unavailable");
        }
    }
}
