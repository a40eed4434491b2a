package io.ideogramcamel.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes generations that ended long ago ({@code store.retention.archived-days},
 * {@code store.retention.failed-days}; 0 keeps them for ever), with their image rows and the
 * requests they came from, and requests Ideogram refused outright. The archive in S3 (or the folder)
 * is never touched: this forgets the bookkeeping, not the images.
 *
 * <p>Rows go in small batches, each its own short transaction, oldest first along the
 * (state, updated_at) index, so a first run over years of rows never holds locks for long, and a run
 * takes at most {@code maxBatchesPerRun} batches: the next tick goes on.
 */
public class StoreRetention extends StoreAccess {

    private static final Logger LOG = LoggerFactory.getLogger(StoreRetention.class);

    private static final String OLDEST = "SELECT generation_id FROM generation WHERE state = ? AND updated_at < ? "
            + "ORDER BY updated_at FETCH FIRST ? ROWS ONLY";
    private static final String OLDEST_REFUSED = "SELECT queued_id FROM submission WHERE state = 'FAILED' "
            + "AND generation_id IS NULL AND updated_at < ? ORDER BY updated_at FETCH FIRST ? ROWS ONLY";

    private int archivedDays;
    private int failedDays;
    private int batchSize = 500;
    private int maxBatchesPerRun = 20;

    public StoreRetention() {
        // a batch delete may wait on locks longer than one accept
        setQueryTimeoutSeconds(30);
    }

    /** Archived generations older than this many days are forgotten; 0: never. */
    public void setArchivedDays(int archivedDays) {
        this.archivedDays = requireNotNegative(archivedDays, "archivedDays");
    }

    /** Failed generations and refused requests older than this many days are forgotten; 0: never. */
    public void setFailedDays(int failedDays) {
        this.failedDays = requireNotNegative(failedDays, "failedDays");
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = Math.max(1, batchSize);
    }

    public void setMaxBatchesPerRun(int maxBatchesPerRun) {
        this.maxBatchesPerRun = Math.max(1, maxBatchesPerRun);
    }

    /** Whether any retention is set; without one the timer route does not run. */
    public boolean isEnabled() {
        return archivedDays > 0 || failedDays > 0;
    }

    /**
     * One run: at most {@code maxBatchesPerRun} batches over the three kinds of rows.
     *
     * @return the rows deleted (generations and requests)
     * @throws StoreUnavailableException if the database cannot be reached; the next tick tries again
     */
    public int sweep() {
        long now = System.currentTimeMillis();
        int[] batchesLeft = {maxBatchesPerRun};
        int deleted = 0;
        if (archivedDays > 0) {
            deleted += sweepGenerations(GenerationState.ARCHIVED, cutoff(now, archivedDays), batchesLeft);
        }
        if (failedDays > 0) {
            deleted += sweepGenerations(GenerationState.FAILED, cutoff(now, failedDays), batchesLeft);
            deleted += sweepRefusedRequests(cutoff(now, failedDays), batchesLeft);
        }
        if (archivedDays > 0 || failedDays > 0) {
            // what a provider said about a generation the store does not hold (events without one,
            // progress of a generation that never came), and events every destination took:
            // forgotten after the shorter retention
            int days = archivedDays == 0 ? failedDays : failedDays == 0 ? archivedDays : Math.min(archivedDays, failedDays);
            forgetSideRows(cutoff(now, days), batchesLeft);
        }
        if (deleted > 0) {
            LOG.info("Retention forgot {} generation(s) and request(s) past store.retention.*-days", deleted);
        }
        return deleted;
    }

    private static final String ORPHAN_DELIVERIES = "DELETE FROM provider_delivery WHERE (provider, delivery_id) IN "
            + "(SELECT provider, delivery_id FROM provider_delivery d WHERE received_at < ? AND NOT EXISTS "
            + "(SELECT 1 FROM generation g WHERE g.generation_id = d.generation_key) "
            + "ORDER BY received_at FETCH FIRST ? ROWS ONLY)";
    private static final String ORPHAN_PROGRESS = "DELETE FROM provider_progress WHERE generation_key IN "
            + "(SELECT generation_key FROM provider_progress p WHERE updated_at < ? AND NOT EXISTS "
            + "(SELECT 1 FROM generation g WHERE g.generation_id = p.generation_key) "
            + "ORDER BY updated_at FETCH FIRST ? ROWS ONLY)";
    /*
     * Only events every destination took: never one still pending, nor a dead letter an operator has
     * yet to replay. Their deliveries go by ON DELETE CASCADE.
     */
    private static final String DELIVERED_EVENTS = "DELETE FROM event_outbox WHERE event_id IN "
            + "(SELECT event_id FROM event_outbox o WHERE created_at < ? AND NOT EXISTS "
            + "(SELECT 1 FROM event_delivery d WHERE d.event_id = o.event_id AND d.state <> 'DELIVERED') "
            + "ORDER BY created_at FETCH FIRST ? ROWS ONLY)";

    private void forgetSideRows(long cutoff, int[] batchesLeft) {
        for (String sql : List.of(ORPHAN_DELIVERIES, ORPHAN_PROGRESS, DELIVERED_EVENTS)) {
            int n;
            do {
                if (batchesLeft[0]-- <= 0) {
                    return;
                }
                try (Connection c = connection(); PreparedStatement ps = prepare(c, sql)) {
                    ps.setLong(1, cutoff);
                    ps.setInt(2, batchSize);
                    n = ps.executeUpdate();
                } catch (SQLException e) {
                    throw unavailable("delete rows past retention", e);
                }
            } while (n == batchSize);
        }
    }

    private int sweepGenerations(GenerationState state, long cutoff, int[] batchesLeft) {
        int deleted = 0;
        List<String> ids;
        do {
            if (batchesLeft[0]-- <= 0) {
                break;
            }
            ids = oldest(OLDEST, state.name(), cutoff);
            deleted += ids.isEmpty() ? 0 : deleteGenerations(ids, state, cutoff);
        } while (ids.size() == batchSize);
        return deleted;
    }

    private int sweepRefusedRequests(long cutoff, int[] batchesLeft) {
        int deleted = 0;
        List<String> ids;
        do {
            if (batchesLeft[0]-- <= 0) {
                break;
            }
            ids = oldest(OLDEST_REFUSED, null, cutoff);
            deleted += ids.isEmpty() ? 0 : deleteIn("DELETE FROM submission WHERE state = 'FAILED' "
                    + "AND generation_id IS NULL AND updated_at < ? AND queued_id IN ", ids, cutoff, null);
        } while (ids.size() == batchSize);
        return deleted;
    }

    private List<String> oldest(String sql, String state, long cutoff) {
        List<String> ids = new ArrayList<>();
        try (Connection c = connection(); PreparedStatement ps = prepare(c, sql)) {
            int i = 1;
            if (state != null) {
                ps.setString(i++, state);
            }
            ps.setLong(i++, cutoff);
            ps.setInt(i, batchSize);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw unavailable("list rows past retention", e);
        }
    }

    /*
     * The requests first, then the generations (their image rows go by ON DELETE CASCADE), in one
     * transaction. The state and age are checked again: a late webhook may have revived a failed
     * generation since it was listed, and then it stays.
     */
    private int deleteGenerations(List<String> ids, GenerationState state, long cutoff) {
        String in = placeholders(ids.size());
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                int n;
                try (PreparedStatement ps = prepare(c, "DELETE FROM submission WHERE generation_id IN (SELECT "
                        + "generation_id FROM generation WHERE state = ? AND updated_at < ? AND generation_id IN "
                        + in + ")")) {
                    bind(ps, state.name(), cutoff, ids);
                    ps.executeUpdate();
                }
                // a provider's progress and deliveries go with their generation: progress left behind
                // would be shown again for a generation the store no longer holds
                for (String table : List.of("provider_progress", "provider_delivery")) {
                    try (PreparedStatement ps = prepare(c, "DELETE FROM " + table + " WHERE generation_key IN (SELECT "
                            + "generation_id FROM generation WHERE state = ? AND updated_at < ? AND generation_id IN "
                            + in + ")")) {
                        bind(ps, state.name(), cutoff, ids);
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = prepare(c, "DELETE FROM generation WHERE state = ? AND updated_at < ? "
                        + "AND generation_id IN " + in)) {
                    bind(ps, state.name(), cutoff, ids);
                    n = ps.executeUpdate();
                }
                c.commit();
                return n;
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw unavailable("delete rows past retention", e);
        }
    }

    private int deleteIn(String sqlBeforeIn, List<String> ids, long cutoff, String state) {
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, sqlBeforeIn + placeholders(ids.size()))) {
            bind(ps, state, cutoff, ids);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("delete rows past retention", e);
        }
    }

    private static void bind(PreparedStatement ps, String state, long cutoff, List<String> ids) throws SQLException {
        int i = 1;
        if (state != null) {
            ps.setString(i++, state);
        }
        ps.setLong(i++, cutoff);
        for (String id : ids) {
            ps.setString(i++, id);
        }
    }

    private static String placeholders(int n) {
        return "(" + String.join(", ", Collections.nCopies(n, "?")) + ")";
    }

    private static long cutoff(long now, int days) {
        return now - TimeUnit.DAYS.toMillis(days);
    }

    private static int requireNotNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative (0 keeps rows for ever)");
        }
        return value;
    }
}
