package io.ideogramcamel.submit;

import io.ideogramcamel.events.EventOutbox;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.JdbcParameters;
import io.ideogramcamel.store.ListPage;
import io.ideogramcamel.store.StoreLedger;
import io.ideogramcamel.store.StoreSql;
import io.ideogramcamel.store.StoreUnavailableException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import io.ideogramcamel.Audit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The submitter's side of the store: requests to POST /generations, the in-flight image budget, and
 * what became of each send. It shares the {@link GenerationStore}'s pool and schema.
 *
 * <p>Why a queue in the database: Ideogram runs at most a few images per account at once (10 by
 * default) and answers 429 above that, so a burst of requests must wait somewhere that survives a
 * restart and is shared by every instance. The decision "this one may go now" is taken under the
 * lock of the single {@code submit_budget} row, so two instances never both spend the last places;
 * the HTTP call itself runs outside any transaction, guarded by a lease.
 *
 * <p>Why never a resend: Ideogram has no idempotency key, so a second call bills a second
 * generation. Only answers that prove nothing ran (429, a connection that never opened) put a
 * request back in the queue. A send whose answer never came, or whose sender died, ends UNKNOWN.
 */
public class SubmissionLedger extends StoreLedger {

    private static final Logger LOG = LoggerFactory.getLogger(SubmissionLedger.class);

    /** The error of a send whose worker died mid-call (its lease lapsed). */
    public static final String SEND_INTERRUPTED = "send_interrupted";
    /** The error of a request that can never fit the budget (it was lowered after it was queued). */
    public static final String OVER_BUDGET = "over_inflight_budget";

    private static final int MAX_KEY_LENGTH = 256;
    private static final int MAX_LIST = 500;
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String COLUMNS = "queued_id, idempotency_key, request, image_count, state, generation_id, "
            + "error, answer_status, answer_body, created_at, updated_at, callback_url, metadata";

    private static final String INSERT = "INSERT INTO submission (queued_id, idempotency_key, request, image_count, "
            + "callback_url, metadata, state, attempts, next_attempt_at, created_at, updated_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, 'QUEUED', 0, " + StoreSql.NOW + ", ?, ?)";

    private static final String LOCK_BUDGET = "SELECT id FROM submit_budget WHERE id = 1 FOR UPDATE";

    /* Arrival order, read from the (state, arrival) index: the first entry is the head. */
    private static final String HEAD = "SELECT queued_id, request, image_count, next_attempt_at, attempts, created_at, "
            + "caller_waiting, " + StoreSql.NOW + " "
            + "FROM submission WHERE state = 'QUEUED' ORDER BY arrival FETCH FIRST 1 ROWS ONLY";

    private static final String INFLIGHT_SUBMITTED = "SELECT COALESCE(SUM(image_count), 0) FROM generation "
            + "WHERE state = 'SUBMITTED' AND image_count IS NOT NULL";

    /* A send in progress, or one whose outcome is unknown (it may be running at Ideogram), for a while. */
    private static final String INFLIGHT_SENDING = "SELECT COALESCE(SUM(image_count), 0) FROM submission "
            + "WHERE state = 'SENDING' OR (state = 'UNKNOWN' AND updated_at > " + StoreSql.NOW + " - ?)";

    private static final String START_SENDING = "UPDATE submission SET state = 'SENDING', lease_owner = ?, "
            + "lease_until = " + StoreSql.NOW + " + ?, updated_at = ? WHERE queued_id = ? AND state = 'QUEUED'";

    /*
     * UNKNOWN too: a call that outlived its lease was given up by the sweeper, but if Ideogram's
     * answer still arrives it is the truth, and the generation must not be lost.
     */
    private static final String MARK_SENT = "UPDATE submission SET state = 'SENT', generation_id = ?, error = NULL, "
            + "lease_owner = NULL, lease_until = NULL, updated_at = ? "
            + "WHERE queued_id = ? AND ((state = 'SENDING' AND lease_owner = ?) OR state = 'UNKNOWN')";

    /* Due for its first poll after pollAfterSeconds; the webhook normally arrives before. */
    private static final String INSERT_SUBMITTED = "INSERT INTO generation (generation_id, state, queued_id, "
            + "image_count, attempts, next_attempt_at, submitted_at, updated_at) "
            + "SELECT ?, 'SUBMITTED', ?, ?, 0, " + StoreSql.NOW + " + ?, ?, ? WHERE NOT EXISTS "
            + "(SELECT 1 FROM generation WHERE generation_id = ?)";

    /* The webhook was faster than our own bookkeeping: the row exists; only say where it came from. */
    private static final String LINK_EXISTING = "UPDATE generation SET queued_id = ?, "
            + "submitted_at = COALESCE(submitted_at, ?) WHERE generation_id = ? AND queued_id IS NULL";

    private static final String REQUEUE = "UPDATE submission SET state = 'QUEUED', attempts = attempts + 1, "
            + "error = ?, next_attempt_at = " + StoreSql.NOW + " + ?, lease_owner = NULL, lease_until = NULL, updated_at = ? "
            + "WHERE queued_id = ? AND state = 'SENDING' AND lease_owner = ?";

    /* updated_at on the database's clock: an UNKNOWN row holds budget places for a while after it. */
    private static final String END_SENDING = "UPDATE submission SET state = ?, error = ?, lease_owner = NULL, "
            + "lease_until = NULL, updated_at = " + StoreSql.NOW + " WHERE queued_id = ? AND state = 'SENDING' AND lease_owner = ?";

    private static final String FAIL_QUEUED = "UPDATE submission SET state = 'FAILED', error = ?, updated_at = ? "
            + "WHERE queued_id = ? AND state = 'QUEUED'";

    private static final String EXPIRE_SENDING = "UPDATE submission SET state = 'UNKNOWN', error = '"
            + SEND_INTERRUPTED + "', lease_owner = NULL, lease_until = NULL, updated_at = " + StoreSql.NOW + " "
            + "WHERE state = 'SENDING' AND lease_until < " + StoreSql.NOW;

    /*
     * A send an earlier run of this instance id had in progress when it died: the same end as a
     * lapsed lease (UNKNOWN, never resent, it may have reached Ideogram), only without the wait.
     */
    private static final String GIVE_UP_EARLIER = "UPDATE submission SET state = 'UNKNOWN', error = '"
            + SEND_INTERRUPTED + "', lease_owner = NULL, lease_until = NULL, updated_at = " + StoreSql.NOW + " "
            + "WHERE state = 'SENDING' AND lease_owner LIKE ? ESCAPE '!' AND lease_owner NOT LIKE ? ESCAPE '!'";

    private static final String LEAVE_TO_DISPATCHER = "UPDATE submission SET caller_waiting = FALSE "
            + "WHERE queued_id = ? AND caller_waiting = TRUE";

    private static final String RECORD_ANSWER = "UPDATE submission SET answer_status = ?, answer_body = ? "
            + "WHERE queued_id = ? AND answer_status IS NULL";

    private static final String FIND = "SELECT " + COLUMNS + " FROM submission WHERE queued_id = ?";
    private static final String FIND_BY_KEY = "SELECT " + COLUMNS + " FROM submission WHERE idempotency_key = ?";
    /* Only what a list shows (never the stored request), a page at a time along (state, updated_at, queued_id). */
    private static final String LIST = "SELECT queued_id, generation_id, state, error, updated_at FROM submission "
            + "WHERE state = ? AND " + ListPage.afterAndOrder("queued_id");

    private int maxInflightImages = 10;
    private long callerFirstMillis = 2000;
    private int sendLeaseSeconds = 120;
    private int unknownHoldsBudgetSeconds = 600;
    private int pollAfterSeconds = 120;
    private EventOutbox outbox = new EventOutbox();

    public SubmissionLedger() {
        super(2, 60);
    }

    @Override
    protected long leaseMillis() {
        return sendLeaseSeconds * 1000L;
    }

    @Override
    protected String releaseEarlierLeasesSql() {
        return GIVE_UP_EARLIER;
    }

    /** Where a submission's failure is told (generation.failed), in the transaction that records it. */
    public void setOutbox(EventOutbox outbox) {
        this.outbox = outbox;
    }

    /** Ideogram's per-account limit of images running at once (10 unless Ideogram raised it). */
    public void setMaxInflightImages(int maxInflightImages) {
        if (maxInflightImages < 1) {
            throw new IllegalArgumentException("maxInflightImages must be at least 1");
        }
        this.maxInflightImages = maxInflightImages;
    }

    public int getMaxInflightImages() {
        return maxInflightImages;
    }

    /**
     * How long a new request is left to its own caller (who waits for Ideogram's id) before a
     * dispatcher may send it instead; a dispatcher tick in between would otherwise answer "queued".
     */
    public void setCallerFirstMillis(long callerFirstMillis) {
        if (callerFirstMillis < 0) {
            throw new IllegalArgumentException("callerFirstMillis must not be negative");
        }
        this.callerFirstMillis = callerFirstMillis;
    }

    /** Longer than the HTTP call may take: a SENDING row older than this lost its worker. */
    public void setSendLeaseSeconds(int sendLeaseSeconds) {
        if (sendLeaseSeconds < 1) {
            throw new IllegalArgumentException("sendLeaseSeconds must be at least 1");
        }
        this.sendLeaseSeconds = sendLeaseSeconds;
    }

    /**
     * How long a send with an unknown outcome keeps its places in the budget: it may be running at
     * Ideogram, and taking the places back at once could push the account over its limit.
     */
    public void setUnknownHoldsBudgetSeconds(int unknownHoldsBudgetSeconds) {
        if (unknownHoldsBudgetSeconds < 0) {
            throw new IllegalArgumentException("unknownHoldsBudgetSeconds must not be negative");
        }
        this.unknownHoldsBudgetSeconds = unknownHoldsBudgetSeconds;
    }

    /** A sent generation is first polled this long after it was sent, if no webhook came by then. */
    public void setPollAfterSeconds(int pollAfterSeconds) {
        if (pollAfterSeconds < 0) {
            throw new IllegalArgumentException("pollAfterSeconds must not be negative");
        }
        this.pollAfterSeconds = pollAfterSeconds;
    }

    /** The outcome of {@link #enqueue}: the row, and whether it existed already under the same key. */
    public record Enqueued(Submission submission, boolean repeated) {
    }

    /**
     * Records a validated request as QUEUED, due at once. With an idempotency key that is already
     * taken nothing is written and the existing row is returned ({@code repeated} true).
     *
     * @param idempotencyKey the caller's key (1 to 256 characters), or null
     * @param request        the validated request as compact JSON
     * @param imageCount     images asked for, at least 1
     * @throws StoreUnavailableException if the database cannot be used; nothing was recorded
     */
    public Enqueued enqueue(String idempotencyKey, String request, int imageCount) {
        return enqueue(idempotencyKey, request, imageCount, null, null);
    }

    /**
     * As {@link #enqueue(String, String, int)}, with what the caller attached: kept with the
     * submission, never sent to Ideogram, copied into every event about its generation.
     *
     * @param callbackUrl a validated callback URL, or null
     * @param metadata    a validated JSON object of strings (compact text), or null
     */
    public Enqueued enqueue(String idempotencyKey, String request, int imageCount, String callbackUrl,
            String metadata) {
        if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_KEY_LENGTH)) {
            throw new IllegalArgumentException("idempotency key must have 1 to " + MAX_KEY_LENGTH + " characters");
        }
        if (request == null || imageCount < 1) {
            throw new IllegalArgumentException("a request and at least one image are required");
        }
        long now = localNow();
        String queuedId = newQueuedId();
        try (Connection c = connection()) {
            try (PreparedStatement ps = prepare(c, INSERT)) {
                ps.setString(1, queuedId);
                JdbcParameters.setNullableString(ps, 2, idempotencyKey);
                ps.setString(3, request);
                ps.setInt(4, imageCount);
                JdbcParameters.setNullableString(ps, 5, callbackUrl);
                JdbcParameters.setNullableString(ps, 6, metadata);
                ps.setLong(7, now);
                ps.setLong(8, now);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (idempotencyKey == null || !StoreSql.isConstraintViolation(e)) {
                    throw e;
                }
                Optional<Submission> first = findOne(c, FIND_BY_KEY, idempotencyKey);
                if (first.isEmpty()) {
                    throw e;
                }
                return new Enqueued(first.get(), true);
            }
            return new Enqueued(findOne(c, FIND, queuedId).orElseThrow(), false);
        } catch (SQLException e) {
            throw unavailable("queue a submission", e);
        }
    }

    /* A request nobody waits on (caller_waiting FALSE): the dispatcher may send it at once. */
    private static final String INSERT_UNATTENDED = "INSERT INTO submission (queued_id, request, image_count, "
            + "callback_url, metadata, state, attempts, next_attempt_at, created_at, updated_at, caller_waiting) "
            + "VALUES (?, ?, ?, ?, ?, 'QUEUED', 0, " + StoreSql.NOW + ", ?, ?, FALSE)";

    /**
     * Queues one validated request on the caller's connection, in the caller's transaction (never
     * committed here): a group of requests (a campaign) is recorded whole or not at all. No
     * Idempotency-Key of its own (the group has one) and no caller waiting for it: the dispatcher
     * sends it in arrival order within the budget.
     *
     * @return the new queued id
     */
    public String enqueueWith(Connection c, String request, int imageCount, String callbackUrl, String metadata)
            throws SQLException {
        if (request == null || imageCount < 1) {
            throw new IllegalArgumentException("a request and at least one image are required");
        }
        long now = localNow();
        String queuedId = newQueuedId();
        try (PreparedStatement ps = prepare(c, INSERT_UNATTENDED)) {
            ps.setString(1, queuedId);
            ps.setString(2, request);
            ps.setInt(3, imageCount);
            JdbcParameters.setNullableString(ps, 4, callbackUrl);
            JdbcParameters.setNullableString(ps, 5, metadata);
            ps.setLong(6, now);
            ps.setLong(7, now);
            ps.executeUpdate();
        }
        return queuedId;
    }

    /**
     * Takes the head of the queue for sending if it is due and its images fit the budget.
     *
     * @param onlyQueuedId take it only if the head is this submission (the caller's own request, sent
     *                     while the caller waits), or null for whichever is first in line
     * @return the claim, or null: the queue is empty, the head is another submission or not due yet
     *         (a Retry-After), or the budget is full
     * @throws StoreUnavailableException if the database cannot be used; nothing was claimed
     */
    public SendClaim claimHead(String onlyQueuedId) {
        long now = localNow();
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                SendClaim claim = claimHead(c, onlyQueuedId, now);
                c.commit();
                return claim;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable("claim a submission", e);
        }
    }

    private SendClaim claimHead(Connection c, String onlyQueuedId, long now) throws SQLException {
        try (PreparedStatement ps = prepare(c, LOCK_BUDGET); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("submit_budget row is missing", "55000");
            }
        }
        String queuedId;
        String request;
        int imageCount;
        long notBefore;
        int attempts;
        long createdAt;
        boolean callerWaiting;
        long databaseNow;
        try (PreparedStatement ps = prepare(c, HEAD); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            queuedId = rs.getString(1);
            request = rs.getString(2);
            imageCount = rs.getInt(3);
            notBefore = rs.getLong(4);
            attempts = rs.getInt(5);
            createdAt = rs.getLong(6);
            callerWaiting = rs.getBoolean(7);
            databaseNow = rs.getLong(8);
        }
        if (imageCount > maxInflightImages) {
            // It could only block everyone behind it for ever.
            try (PreparedStatement ps = prepare(c, FAIL_QUEUED)) {
                ps.setString(1, OVER_BUDGET);
                ps.setLong(2, now);
                ps.setString(3, queuedId);
                if (ps.executeUpdate() > 0) {
                    // in the claim's transaction: committed with the FAILED row, or not at all
                    outbox.appendSubmissionFailed(c, queuedId, OVER_BUDGET, now);
                }
            }
            LOG.warn("Submission {} FAILED: it asks {} images, more than the budget of {}", queuedId, imageCount,
                    maxInflightImages);
            return null;
        }
        if ((onlyQueuedId != null && !onlyQueuedId.equals(queuedId)) || notBefore > databaseNow) {
            return null;
        }
        if (onlyQueuedId == null && callerWaiting && attempts == 0 && createdAt > now - callerFirstMillis) {
            // just recorded: its caller is about to claim it and wait for Ideogram's id; a dispatcher
            // taking it now would leave that caller with "queued" for no reason
            return null;
        }
        if (inflightImages(c) + imageCount > maxInflightImages) {
            return null;
        }
        String owner = newLeaseOwner("s");
        try (PreparedStatement ps = prepare(c, START_SENDING)) {
            ps.setString(1, owner);
            ps.setLong(2, leaseMillis());
            ps.setLong(3, now);
            ps.setString(4, queuedId);
            if (ps.executeUpdate() == 0) {
                return null;
            }
        }
        return new SendClaim(queuedId, owner, request, imageCount, attempts);
    }

    /**
     * The caller could not send its request now (not first in line, or no room) and answers
     * "queued": the dispatcher may take the row at once instead of waiting out callerFirstMillis.
     */
    public void leaveToDispatcher(String queuedId) {
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, LEAVE_TO_DISPATCHER)) {
            ps.setString(1, queuedId);
            ps.executeUpdate();
        } catch (SQLException e) {
            // the window then simply runs out
            throw unavailable("hand a submission to the dispatcher", e);
        }
    }

    /* The queue's length up to a bound, from the (state, arrival) index: its cost stays bounded too. */
    private static final String COUNT_QUEUED = "SELECT COUNT(*) FROM (SELECT 1 FROM submission "
            + "WHERE state = 'QUEUED' ORDER BY arrival FETCH FIRST ? ROWS ONLY) queued";

    /**
     * How many submissions wait in state QUEUED, counted up to {@code atMost} (the cap of POST /generations).
     *
     * @throws StoreUnavailableException if the database cannot be used
     */
    public int countQueued(int atMost) {
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, COUNT_QUEUED)) {
            ps.setInt(1, Math.max(0, atMost));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw unavailable("count queued submissions", e);
        }
    }

    /** The submission first recorded under an Idempotency-Key, if any. */
    public Optional<Submission> findByIdempotencyKey(String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        try (Connection c = connection()) {
            return findOne(c, FIND_BY_KEY, idempotencyKey);
        } catch (SQLException e) {
            throw unavailable("read a submission by its key", e);
        }
    }

    /** Images submitted (or being sent) and not yet completed or failed, as the budget counts them. */
    public int inflightImages() {
        try (Connection c = connection()) {
            return inflightImages(c);
        } catch (SQLException e) {
            throw unavailable("count in-flight images", e);
        }
    }

    private int inflightImages(Connection c) throws SQLException {
        long total = 0;
        // SENDING first: recordSent moves a row from SENDING to SUBMITTED without the budget lock,
        // and each statement sees its own snapshot; in this order such a row is counted twice
        // (harmless, it waits a tick), in the other it could be counted in neither (overspent)
        try (PreparedStatement ps = prepare(c, INFLIGHT_SENDING)) {
            ps.setLong(1, unknownHoldsBudgetSeconds * 1000L);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                total += rs.getLong(1);
            }
        }
        try (PreparedStatement ps = prepare(c, INFLIGHT_SUBMITTED); ResultSet rs = ps.executeQuery()) {
            rs.next();
            total += rs.getLong(1);
        }
        return (int) Math.min(Integer.MAX_VALUE, total);
    }

    /**
     * Ideogram accepted the request: the submission is SENT and the generation is recorded as
     * SUBMITTED (or, if its webhook was faster, linked to this submission), in one transaction.
     *
     * @return true if recorded; false if the claim was lost and another outcome was recorded already
     * @throws StoreUnavailableException if the database cannot be used; the claim then lapses to
     *                                   UNKNOWN, and the generation's webhook is still archived
     */
    public boolean recordSent(SendClaim claim, String generationId) {
        StoreSql.requireId(generationId);
        SQLException last = null;
        // A webhook inserting the same generation between our check and insert breaks the unique key
        // once; the second attempt finds its row.
        for (int attempt = 0; attempt < 2; attempt++) {
            try (Connection c = connection()) {
                c.setAutoCommit(false);
                try {
                    boolean recorded = recordSent(c, claim, generationId, localNow());
                    c.commit();
                    return recorded;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
            } catch (SQLException e) {
                last = e;
                if (!StoreSql.isConstraintViolation(e)) {
                    break;
                }
            }
        }
        throw unavailable("record a sent submission", last);
    }

    private boolean recordSent(Connection c, SendClaim claim, String generationId, long now) throws SQLException {
        try (PreparedStatement ps = prepare(c, MARK_SENT)) {
            ps.setString(1, generationId);
            ps.setLong(2, now);
            ps.setString(3, claim.queuedId());
            ps.setString(4, claim.leaseOwner());
            if (ps.executeUpdate() == 0) {
                return false;
            }
        }
        int inserted;
        try (PreparedStatement ps = prepare(c, INSERT_SUBMITTED)) {
            ps.setString(1, generationId);
            ps.setString(2, claim.queuedId());
            ps.setInt(3, claim.imageCount());
            ps.setLong(4, pollAfterSeconds * 1000L);
            ps.setLong(5, now);
            ps.setLong(6, now);
            ps.setString(7, generationId);
            inserted = ps.executeUpdate();
        }
        if (inserted == 0) {
            try (PreparedStatement ps = prepare(c, LINK_EXISTING)) {
                ps.setString(1, claim.queuedId());
                ps.setLong(2, now);
                ps.setString(3, generationId);
                ps.executeUpdate();
            }
        }
        return true;
    }

    /**
     * Puts a claimed submission back at its place in the queue: Ideogram did not run it (429), or the
     * connection never opened. It is not sent before the delay has passed, and nothing behind it is
     * sent before it, so the arrival order holds.
     *
     * @param retryAfterSeconds Ideogram's Retry-After, or a negative number for the doubling backoff
     * @param reason            a fixed token such as {@code rate_limited}
     * @return true if put back; false if the claim was lost
     */
    public boolean requeue(SendClaim claim, long retryAfterSeconds, String reason) {
        StoreSql.requireReason(reason);
        long now = localNow();
        // at least a second: a Retry-After of 0 would have the dispatcher call again in the same tick
        long delayMillis = retryAfterSeconds >= 0
                ? Math.max(1, Math.min(retryAfterSeconds, 3600)) * 1000L
                : retryDelayMillis(claim.attempts());
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, REQUEUE)) {
            ps.setString(1, reason);
            ps.setLong(2, delayMillis);
            ps.setLong(3, now);
            ps.setString(4, claim.queuedId());
            ps.setString(5, claim.leaseOwner());
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw unavailable("requeue a submission", e);
        }
    }

    /** Ideogram refused the request (401, 402, 422, 400): FAILED with the reason token. */
    public boolean recordFailed(SendClaim claim, String reason) {
        return endSending(claim, SubmissionState.FAILED, reason);
    }

    /** Sent, but the answer never came: UNKNOWN, never resent. */
    public boolean recordUnknown(SendClaim claim, String reason) {
        return endSending(claim, SubmissionState.UNKNOWN, reason);
    }

    /* FAILED is an end the caller hears of (generation.failed, in the same transaction); UNKNOWN is not. */
    private boolean endSending(SendClaim claim, SubmissionState state, String reason) {
        StoreSql.requireReason(reason);
        long now = localNow();
        try (Connection c = connection()) {
            return changeAlongWith(c, END_SENDING, ps -> {
                ps.setString(1, state.name());
                ps.setString(2, reason);
                ps.setString(3, claim.queuedId());
                ps.setString(4, claim.leaseOwner());
            }, tx -> {
                if (state == SubmissionState.FAILED) {
                    outbox.appendSubmissionFailed(tx, claim.queuedId(), reason, now);
                } else {
                    // never resent: an end for whoever groups requests (a campaign), though no event
                    outbox.endedSilently(tx, claim.queuedId(), now);
                }
            });
        } catch (SQLException e) {
            throw unavailable("record a submission outcome", e);
        }
    }

    /**
     * Sends whose worker died mid-call (the lease lapsed) become UNKNOWN with {@value #SEND_INTERRUPTED}:
     * the request may have reached Ideogram, so it is not sent again.
     *
     * The first call of a run also gives up, without waiting for their lease, the sends an earlier
     * run of this instance id had in progress when it died.
     *
     * @return how many were given up
     */
    public int giveUpInterruptedSends() {
        try (Connection c = connection()) {
            // the first call of a run gives up, at once, the sends this instance id had in flight when it died
            int earlier = releaseEarlierLeases(c);
            return earlier + giveUpLapsedSends(c);
        } catch (SQLException e) {
            throw unavailable("give up interrupted sends", e);
        }
    }

    private int giveUpLapsedSends(Connection c) throws SQLException {
        try (PreparedStatement ps = prepare(c, EXPIRE_SENDING)) {
            int count = ps.executeUpdate();
            if (count > 0) {
                Audit.LOG.warn("{} submission(s) UNKNOWN: their sender stopped mid-call; not resent", count);
            }
            return count;
        }
    }

    /** Keeps the first answer given for a submission, for a repeated Idempotency-Key. Later ones are ignored. */
    public void recordAnswer(String queuedId, int status, String body) {
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, RECORD_ANSWER)) {
            ps.setInt(1, status);
            ps.setString(2, body);
            ps.setString(3, queuedId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("record an answer", e);
        }
    }

    /** Reads one submission by its queued id. */
    public Optional<Submission> find(String queuedId) {
        if (queuedId == null || queuedId.isEmpty() || queuedId.length() > 64) {
            return Optional.empty();
        }
        try (Connection c = connection()) {
            return findOne(c, FIND, queuedId);
        } catch (SQLException e) {
            throw unavailable("read a submission", e);
        }
    }

    /**
     * A page of the submissions in a state, most recently changed first, at most {@code limit}
     * (capped at 500).
     *
     * @param after where the page starts ({@link ListPage#FIRST}, or the last row of the page before)
     */
    public List<ListedSubmission> list(SubmissionState state, int limit, ListPage after) {
        List<ListedSubmission> rows = new ArrayList<>();
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, LIST)) {
            ps.setString(1, state.name());
            ps.setLong(2, after.updatedAt());
            ps.setString(3, after.id());
            ps.setInt(4, Math.max(0, Math.min(limit, MAX_LIST)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new ListedSubmission(rs.getString("queued_id"), rs.getString("generation_id"),
                            SubmissionState.valueOf(rs.getString("state")), rs.getString("error"),
                            rs.getLong("updated_at")));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw unavailable("list submissions", e);
        }
    }

    private Optional<Submission> findOne(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(toSubmission(rs)) : Optional.empty();
            }
        }
    }

    private static Submission toSubmission(ResultSet rs) throws SQLException {
        int status = rs.getInt("answer_status");
        Integer answerStatus = rs.wasNull() ? null : status;
        return new Submission(
                rs.getString("queued_id"),
                rs.getString("idempotency_key"),
                rs.getString("request"),
                rs.getInt("image_count"),
                SubmissionState.valueOf(rs.getString("state")),
                rs.getString("generation_id"),
                rs.getString("error"),
                answerStatus,
                rs.getString("answer_body"),
                rs.getLong("created_at"),
                rs.getLong("updated_at"),
                rs.getString("callback_url"),
                rs.getString("metadata"));
    }

    /* 16 random bytes: unguessable, so one caller cannot read another's submission by counting. */
    private static String newQueuedId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "q" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
