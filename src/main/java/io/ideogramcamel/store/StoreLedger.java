package io.ideogramcamel.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every ledger of the store shares: the store's pool, the retry ladder, the statement timeout
 * and the leases: tokens that say which instance holds a claim, expiry and due times on the
 * database's clock ({@link StoreSql#NOW}, so a pod with a skewed clock cannot take a lease early),
 * a heartbeat that renews the claims whose work still runs, and, once per run, the release of the
 * leases this instance id held before a crash. Public (with public setters) so the YAML
 * {@code beans:} can set the inherited properties on each ledger.
 */
public abstract class StoreLedger extends StoreAccess {

    private static final int MAX_DUE_BATCH = 10_000;

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final AtomicLong claims = new AtomicLong();
    private int retryInitialDelaySeconds;
    private int retryMaxDelaySeconds;
    private volatile String instanceId = StoreSql.randomInstanceId();
    /** Null until set: the random id stays. */
    private volatile String configuredInstanceId;
    private volatile int serverPort;
    /* This run of the instance: a token of an earlier run (a crashed process) is told from a live one. */
    private final String run = StoreSql.randomInstanceId();
    private volatile boolean earlierLeasesReleased;
    private LongSupplier clock = System::currentTimeMillis;
    private LeaseHeartbeat heartbeat;

    protected StoreLedger(int retryInitialDelaySeconds, int retryMaxDelaySeconds) {
        this.retryInitialDelaySeconds = retryInitialDelaySeconds;
        this.retryMaxDelaySeconds = retryMaxDelaySeconds;
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
     * The prefix of this instance's lease tokens: it says who holds a lease, and lets a restarted
     * instance release at once what it held when it died (see {@link #releaseEarlierLeases}).
     * Blank: the host name (a pod's name on Kubernetes) and the server port. Instances sharing a
     * database must not share it. Random when never set.
     */
    public void setInstanceId(String instanceId) {
        this.configuredInstanceId = instanceId == null ? "" : instanceId.strip();
        this.instanceId = resolveInstanceId();
    }

    /**
     * The HTTP port this process serves: a blank instance id becomes "{host}-{port}", stable across
     * restarts and unique on one host (two processes cannot serve one port), so two bundles on one
     * machine sharing a database never release each other's live claims.
     */
    public void setServerPort(int serverPort) {
        this.serverPort = serverPort;
        if (configuredInstanceId != null) {
            this.instanceId = resolveInstanceId();
        }
    }

    private String resolveInstanceId() {
        if (!configuredInstanceId.isEmpty()) {
            return StoreSql.requireInstanceId(configuredInstanceId);
        }
        String host = StoreSql.hostInstanceId();
        if (serverPort <= 0) {
            return host;
        }
        String suffix = "-" + serverPort;
        return host.substring(0, Math.min(host.length(), 64 - suffix.length())) + suffix;
    }

    public String getInstanceId() {
        return instanceId;
    }

    /** The clock of updated_at only (informational); lease expiry and due times use the database's. */
    public void setClock(LongSupplier clock) {
        this.clock = clock;
    }

    protected long localNow() {
        return clock.getAsLong();
    }

    /** A lease token unique to one claim: the instance, this run of it, the kind of claim, a counter. */
    protected String newLeaseOwner(String kind) {
        return instanceId + ":" + run + "." + kind + claims.incrementAndGet();
    }

    /** How long a claim lasts without renewal; the heartbeat renews every third of it. */
    protected abstract long leaseMillis();

    /**
     * The guarded renewal of one lease (the heartbeat's); true while the caller still holds it.
     * Ledgers whose claims are never kept alive need not override it.
     */
    protected boolean renewLease(String id, String leaseOwner) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " leases are not renewed");
    }

    /** Renews this claim's lease every third of the lease until {@link #stopKeepingAlive}. */
    public void keepAlive(String id, String leaseOwner) {
        StoreSql.requireOwner(leaseOwner);
        heartbeat().keep(id, leaseOwner);
    }

    /** The work under this claim has ended (however it ended): no more renewals. */
    public void stopKeepingAlive(String leaseOwner) {
        LeaseHeartbeat h = currentHeartbeat();
        if (h != null && leaseOwner != null) {
            h.forget(leaseOwner);
        }
    }

    public boolean isKeptAlive(String leaseOwner) {
        LeaseHeartbeat h = currentHeartbeat();
        return h != null && h.isKept(leaseOwner);
    }

    /** One heartbeat round now (tests; the timer does the same every third of the lease). */
    public void renewKeptLeases() {
        heartbeat().renewAll();
    }

    private synchronized LeaseHeartbeat heartbeat() {
        if (heartbeat == null) {
            heartbeat = new LeaseHeartbeat("lease-heartbeat-" + getClass().getSimpleName(),
                    Math.max(100, leaseMillis() / 3), this::renewLease);
        }
        return heartbeat;
    }

    private synchronized LeaseHeartbeat currentHeartbeat() {
        return heartbeat;
    }

    /** Stops the heartbeat (the bean's destroy method); held leases then lapse on their own. */
    public synchronized void stop() {
        if (heartbeat != null) {
            heartbeat.close();
            heartbeat = null;
        }
    }

    /**
     * The UPDATE that releases the leases an earlier run of this instance id left behind; its
     * parameters are the LIKE patterns (escape '!') of this instance's tokens and of this run's.
     * Null: this ledger has none to release.
     */
    protected String releaseEarlierLeasesSql() {
        return null;
    }

    /**
     * Once per run, before this ledger first looks for due work: what an earlier run of this
     * instance id held (it crashed, or was killed) is released now instead of after its lease.
     * Tokens of this run are left alone. Failing, it is tried again on the next call.
     *
     * @return how many leases were released (0 after the first successful call)
     */
    protected int releaseEarlierLeases(Connection c) throws SQLException {
        String sql = releaseEarlierLeasesSql();
        if (earlierLeasesReleased || sql == null) {
            return 0;
        }
        int released;
        try (PreparedStatement ps = prepare(c, sql)) {
            ps.setString(1, StoreSql.startsWithPattern(instanceId + ":"));
            ps.setString(2, StoreSql.startsWithPattern(instanceId + ":" + run + "."));
            released = ps.executeUpdate();
            if (released > 0) {
                log.info("Instance {} restarted: released {} {} lease(s) its previous run held", instanceId, released,
                        getClass().getSimpleName());
            }
        }
        earlierLeasesReleased = true;
        return released;
    }

    /** The delay before the next attempt when this many attempts have already failed. */
    public long retryDelayMillis(int attemptsBefore) {
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
     * The ids a "due" query lists: its one parameter is the limit (capped at 10,000); it compares
     * with the database's clock itself. The first call also releases this instance's earlier leases.
     *
     * @param limit 0 or less lists none
     * @throws StoreUnavailableException if the database cannot be read
     */
    protected List<String> findDue(String sql, int limit, String what) {
        List<String> ids = new ArrayList<>();
        if (limit < 1) {
            return ids;
        }
        try (Connection c = connection()) {
            releaseEarlierLeases(c);
            try (PreparedStatement ps = prepare(c, sql)) {
                ps.setInt(1, Math.min(limit, MAX_DUE_BATCH));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            return ids;
        } catch (SQLException e) {
            throw unavailable(what, e);
        }
    }

    /** The event a failure writes, on the failure's connection, stamped with its time. */
    @FunctionalInterface
    protected interface FailureEvent {
        void write(Connection c, long now) throws SQLException;
    }

    /**
     * Ends held work as failed with {@code reason}, and writes its event in the same transaction.
     * {@code failSql} is this ledger's {@code LeasedRows.finish("state = 'FAILED', error = ?")}.
     *
     * @return false if the lease was lost or the row is no longer this ledger's work (nothing written)
     * @throws StoreUnavailableException if the database cannot be used; nothing changed
     */
    protected boolean failHeld(String failSql, String key, String leaseOwner, String reason, FailureEvent event) {
        StoreSql.requireId(key);
        StoreSql.requireOwner(leaseOwner);
        StoreSql.requireReason(reason);
        long now = localNow();
        try (Connection c = connection()) {
            return changeAlongWith(c, failSql, ps -> {
                ps.setString(1, reason);
                ps.setLong(2, now);
                ps.setString(3, key);
                ps.setString(4, leaseOwner);
            }, tx -> event.write(tx, now));
        } catch (SQLException e) {
            throw unavailable("fail a generation", e);
        }
    }

    /** What {@link #claimOrExpire} came to: this worker's lease token, or none; and whether the row expired instead. */
    protected record ClaimOrExpiry(String leaseOwner, boolean expired) {
    }

    /**
     * Claims a due row for this worker unless it is older than {@code maxAgeMillis}; such a row, when
     * nobody holds a live lease on it, ends failed instead, with its event in the same transaction.
     * {@code claimSql} is this ledger's {@code LeasedRows.claim} with an age guard as its fifth
     * parameter, {@code expireSql} its {@code LeasedRows.finishFree} with the opposite guard.
     *
     * @param kind a short tag of the claim's kind in the lease token
     */
    protected ClaimOrExpiry claimOrExpire(Connection c, String claimSql, String expireSql, String key, String kind,
            long maxAgeMillis, FailureEvent expiredEvent) throws SQLException {
        long now = localNow();
        String owner = newLeaseOwner(kind);
        try (PreparedStatement ps = prepare(c, claimSql)) {
            ps.setString(1, owner);
            ps.setLong(2, leaseMillis());
            ps.setLong(3, now);
            ps.setString(4, key);
            ps.setLong(5, maxAgeMillis);
            if (ps.executeUpdate() > 0) {
                return new ClaimOrExpiry(owner, false);
            }
        }
        boolean expired = changeAlongWith(c, expireSql, ps -> {
            ps.setLong(1, now);
            ps.setString(2, key);
            ps.setLong(3, maxAgeMillis);
        }, tx -> expiredEvent.write(tx, now));
        return new ClaimOrExpiry(null, expired);
    }
}
