package io.ideogramcamel.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every ledger of the store shares: the store's pool, the retry ladder, the statement timeout
 * and the lease tokens that say which instance holds a claim. Public (with public setters) so the
 * YAML {@code beans:} can set the inherited properties on each ledger.
 */
public abstract class StoreLedger {

    private static final int MAX_DUE_BATCH = 10_000;

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final AtomicLong claims = new AtomicLong();
    private GenerationStore store;
    private int retryInitialDelaySeconds;
    private int retryMaxDelaySeconds;
    private int queryTimeoutSeconds = 10;
    private volatile String instanceId = StoreSql.randomInstanceId();

    protected StoreLedger(int retryInitialDelaySeconds, int retryMaxDelaySeconds) {
        this.retryInitialDelaySeconds = retryInitialDelaySeconds;
        this.retryMaxDelaySeconds = retryMaxDelaySeconds;
    }

    public void setStore(GenerationStore store) {
        this.store = store;
    }

    /** The delay after the first failed attempt; it doubles with each further one. */
    public void setRetryInitialDelaySeconds(int retryInitialDelaySeconds) {
        if (retryInitialDelaySeconds < 0) {
            throw new IllegalArgumentException("retryInitialDelaySeconds must not be negative");
        }
        this.retryInitialDelaySeconds = retryInitialDelaySeconds;
    }

    /** The longest delay between attempts. */
    public void setRetryMaxDelaySeconds(int retryMaxDelaySeconds) {
        if (retryMaxDelaySeconds < 0) {
            throw new IllegalArgumentException("retryMaxDelaySeconds must not be negative");
        }
        this.retryMaxDelaySeconds = retryMaxDelaySeconds;
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

    /**
     * The prefix of this process's lease tokens, so an operator can tell which instance holds a lease
     * (a pod or host name). Random by default; instances sharing a database must not share it.
     */
    public void setInstanceId(String instanceId) {
        this.instanceId = StoreSql.requireInstanceId(instanceId);
    }

    public String getInstanceId() {
        return instanceId;
    }

    /** A lease token unique to one claim: the instance, the kind of claim, a counter. */
    protected String newLeaseOwner(String kind) {
        return instanceId + ":" + kind + claims.incrementAndGet();
    }

    /** The delay before the next attempt when this many attempts have already failed. */
    long retryDelayMillis(int attemptsBefore) {
        return StoreSql.doublingDelayMillis(retryInitialDelaySeconds, retryMaxDelaySeconds, attemptsBefore);
    }

    /*
     * The same ladder as retryDelayMillis, as a CASE over the row's attempts, so the delay comes from
     * the attempts of the very row the guarded UPDATE changes. Only numbers computed from this bean's
     * settings go into the text; the ladder ends where the delay reaches the maximum.
     */
    protected String retryDelayMillisSql() {
        long max = retryMaxDelaySeconds * 1000L;
        StringBuilder sql = new StringBuilder("CASE");
        int attempts = 0;
        long delay = retryDelayMillis(0);
        while (delay < max && delay > 0) {
            sql.append(" WHEN attempts <= ").append(attempts).append(" THEN ").append(delay);
            attempts++;
            delay = retryDelayMillis(attempts);
        }
        if (attempts == 0) {
            // a constant delay (0, or initial = max): a CASE needs at least one WHEN
            return Long.toString(delay);
        }
        return sql.append(" ELSE ").append(delay).append(" END").toString();
    }

    /**
     * The ids a "due" query lists: its parameters are now, now and the limit (capped at 10,000).
     *
     * @param limit 0 or less lists none
     * @throws StoreUnavailableException if the database cannot be read
     */
    protected List<String> findDue(String sql, int limit, String what) {
        List<String> ids = new ArrayList<>();
        if (limit < 1) {
            return ids;
        }
        long now = System.currentTimeMillis();
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, sql)) {
            ps.setLong(1, now);
            ps.setLong(2, now);
            ps.setInt(3, Math.min(limit, MAX_DUE_BATCH));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw unavailable(what, e);
        }
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
        return StoreSql.unavailable(log, what, e);
    }

    protected void rollbackQuietly(Connection c) {
        StoreSql.rollbackQuietly(log, c);
    }
}
