package io.ideogramcamel.poll;

import io.ideogramcamel.events.EventOutbox;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.LeasedRows;
import io.ideogramcamel.store.OverridableFailures;
import io.ideogramcamel.store.StoreLedger;
import io.ideogramcamel.store.StoreSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poller's side of the store: which SUBMITTED generations are due for a poll, who is polling
 * each (a lease, so two instances never poll one generation at once), and what the poll found
 * when it was not a result (a result goes through {@link GenerationStore#acceptReceived}, the
 * webhook's own accept path, with source {@code poll}). It shares the store's pool and schema.
 */
public class PollLedger extends StoreLedger {

    private static final LeasedRows ROWS = new LeasedRows("generation", "generation_id", "state = 'SUBMITTED'");

    private static final Logger LOG = LoggerFactory.getLogger(PollLedger.class);

    /** The error of a generation still not complete when its result links would have expired. */
    public static final String EXPIRED = OverridableFailures.EXPIRED;
    /** The error of a generation Ideogram answered 404 for. */
    public static final String UNKNOWN_AT_IDEOGRAM = OverridableFailures.UNKNOWN_AT_IDEOGRAM;

    /* One range read of the (state, next_attempt_at) index, however many rows wait further out. */
    private static final String FIND_DUE = ROWS.findDue();

    private static final String CLAIM = ROWS.claim(
            " AND (submitted_at IS NULL OR submitted_at >= " + StoreSql.NOW + " - ?)");

    private static final String EXPIRE = ROWS.finishFree("state = 'FAILED', error = '" + EXPIRED + "'",
            " AND submitted_at < " + StoreSql.NOW + " - ?");

    /* Completed with the delay: a Retry-After, or the backoff ladder over the row's own attempts. */
    private static final String POLL_LATER = ROWS.later("%s", ", error = ?");

    private static final String FAIL = ROWS.finish("state = 'FAILED', error = ?");

    /* What an earlier run of this instance id held (it died mid-poll): due now. */
    private static final String RELEASE_EARLIER = ROWS.releaseEarlier();

    private int leaseSeconds = 60;
    private int expireAfterHours = 24;
    private EventOutbox outbox = new EventOutbox();

    public PollLedger() {
        super(30, 600);
    }

    /** Where a generation's failure is told (generation.failed), in the transaction that records it. */
    public void setOutbox(EventOutbox outbox) {
        this.outbox = outbox;
    }

    /** Longer than one poll call may take; a crashed poller's generations wait this long. */
    public void setLeaseSeconds(int leaseSeconds) {
        if (leaseSeconds < 1) {
            throw new IllegalArgumentException("leaseSeconds must be at least 1");
        }
        this.leaseSeconds = leaseSeconds;
    }

    /** A generation submitted longer ago than this, and still not complete, is FAILED (expired). */
    public void setExpireAfterHours(int expireAfterHours) {
        if (expireAfterHours < 1) {
            throw new IllegalArgumentException("expireAfterHours must be at least 1");
        }
        this.expireAfterHours = expireAfterHours;
    }

    @Override
    protected long leaseMillis() {
        return leaseSeconds * 1000L;
    }

    @Override
    protected String releaseEarlierLeasesSql() {
        return RELEASE_EARLIER;
    }

    /**
     * Ids of SUBMITTED generations due for a poll and not leased by a live poller, the longest due
     * first. List, then {@link #claimForPoll claim} each: another instance may take one first.
     */
    public List<String> findDueForPoll(int limit) {
        return findDue(FIND_DUE, limit, "list generations due for a poll");
    }

    /**
     * Leases a due SUBMITTED generation to this poller. One submitted longer ago than
     * expireAfterHours is not claimed: it becomes FAILED ({@value #EXPIRED}) if nobody holds it.
     *
     * @return the lease token to show afterwards, or null: not SUBMITTED any more, not due, held by
     *         another poller, or expired
     */
    public String claimForPoll(String generationId) {
        StoreSql.requireId(generationId);
        try (Connection c = connection()) {
            ClaimOrExpiry claim = claimOrExpire(c, CLAIM, EXPIRE, generationId, "p", expireAfterHours * 3_600_000L,
                    (tx, now) -> outbox.appendFailed(tx, generationId, EXPIRED, now));
            if (claim.expired()) {
                LOG.info("Generation {} FAILED: still not complete {} h after it was submitted", generationId,
                        expireAfterHours);
            }
            return claim.leaseOwner();
        } catch (SQLException e) {
            throw unavailable("claim a generation for a poll", e);
        }
    }

    /**
     * Not done yet (pending), or the call failed for a reason that may pass: poll again later, after
     * Ideogram's Retry-After or the doubling backoff.
     *
     * @param retryAfterSeconds Retry-After, or negative for the backoff
     * @param reason            a fixed token: {@code pending}, {@code rate_limited}, {@code poll_http_503}...
     * @return false if the lease was lost or the generation is no longer SUBMITTED
     */
    public boolean pollLater(String generationId, String leaseOwner, long retryAfterSeconds, String reason) {
        StoreSql.requireId(generationId);
        StoreSql.requireOwner(leaseOwner);
        StoreSql.requireReason(reason);
        long now = localNow();
        String delayMillis = retryAfterSeconds >= 0
                ? Long.toString(Math.min(retryAfterSeconds, 3600) * 1000L)
                : retryDelayMillisSql();
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, POLL_LATER.formatted(delayMillis))) {
            ps.setString(1, reason);
            ps.setLong(2, now);
            ps.setString(3, generationId);
            ps.setString(4, leaseOwner);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw unavailable("reschedule a poll", e);
        }
    }

    /**
     * Ideogram says the generation failed (or does not know it): SUBMITTED → FAILED with the reason,
     * and its generation.failed event in the same transaction.
     *
     * @return false if the lease was lost or the generation is no longer SUBMITTED (no event)
     */
    public boolean markFailed(String generationId, String leaseOwner, String reason) {
        return failHeld(FAIL, generationId, leaseOwner, reason,
                (tx, now) -> outbox.appendFailed(tx, generationId, reason, now));
    }

}
