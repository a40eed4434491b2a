package io.ideogramcamel.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every ledger of the store shares: the store's pool, the retry ladder, the statement timeout
 * and the lease tokens that say which instance holds a claim. Public (with public setters) so the
 * YAML {@code beans:} can set the inherited properties on each ledger.
 */
public abstract class StoreLedger {

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

    protected int retryMaxDelaySeconds() {
        return retryMaxDelaySeconds;
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
