package io.ideogramcamel.archive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import io.ideogramcamel.GenerationKey;
import io.ideogramcamel.store.OverridableFailures;
import io.ideogramcamel.store.StoreAccess;
import io.ideogramcamel.store.StoreSql;

/**
 * POST /generations/{id}/retry: puts a FAILED generation whose failure may pass back to work, with
 * one guarded UPDATE (state FAILED and the error read), so two retries at once move it once. It
 * returns what the retry came to ({@link RetryOutcome}: {@link #RECEIVED}, {@link #SUBMITTED}, or a
 * refusal's token); the route chooses the HTTP status on it.
 *
 * <p>Two failures may pass. Archiving failed (the row has its image list, so it was received) while
 * Ideogram's links still work: back to RECEIVED, due now, the archive timer takes it and skips the
 * images already stored. The poller gave up for want of news ({@link #POLL_AGAIN}) while Ideogram
 * may still answer: back to SUBMITTED, due now, the poll timer asks again. Anything Ideogram or a
 * provider said itself (its generation failed, too many images, a refused prompt) would only fail
 * the same way again.
 */
public class GenerationRetry extends StoreAccess {

    /** Back to RECEIVED: the archive timer takes it. */
    public static final String RECEIVED = "received";
    /** Back to SUBMITTED: the poll timer takes it. */
    public static final String SUBMITTED = "submitted";
    public static final String NOT_FOUND = "not_found";
    public static final String NOT_FAILED = "not_failed";
    public static final String NOT_RETRYABLE = "not_retryable";
    public static final String LINKS_EXPIRED = ArchiveLedger.LINKS_EXPIRED;
    /** Failed for want of news, but submitted longer ago than ideogram.poll.expire-after-hours. */
    public static final String POLL_WINDOW_PASSED = "poll_window_passed";

    /**
     * The poller's failures that say "no news", not "failed": it waited past the expiry, or Ideogram
     * answered 404 (not yet visible there). The poller's other failures are Ideogram's own word
     * (ideogram_*) or a result that can never be archived (too_many_images); the unconfirmed
     * failures of unsigned providers are not polled at all, so polling again cannot change them.
     */
    public static final List<String> POLL_AGAIN = List.of(OverridableFailures.EXPIRED,
            OverridableFailures.UNKNOWN_AT_IDEOGRAM);

    /* One read with the database's clock: whether the links or the poll window still hold is decided by it. */
    private static final String READ = "SELECT state, error, images IS NOT NULL, "
            + "received_at IS NOT NULL AND received_at > " + StoreSql.NOW + " - ?, "
            + "submitted_at IS NULL OR submitted_at > " + StoreSql.NOW + " - ? "
            + "FROM generation WHERE generation_id = ?";

    /* A request id POST /generations answered with: followed to its generation once sent. */
    private static final String READ_SUBMISSION = "SELECT state, generation_id FROM submission WHERE queued_id = ?";

    private static final String BACK_TO_WORK = "UPDATE generation SET state = ?, attempts = 0, error = NULL, "
            + "next_attempt_at = " + StoreSql.NOW + ", lease_owner = NULL, lease_until = NULL, updated_at = ? "
            + "WHERE generation_id = ? AND state = 'FAILED' AND COALESCE(error, '') = ?";

    private int linksExpireAfterHours = 24;
    private int pollExpireAfterHours = 24;

    /** archive.links-expire-after-hours: received longer ago, the images cannot be fetched any more. */
    public void setLinksExpireAfterHours(int hours) {
        this.linksExpireAfterHours = requirePositive(hours, "linksExpireAfterHours");
    }

    /** ideogram.poll.expire-after-hours: submitted longer ago, the poller would expire it again at once. */
    public void setPollExpireAfterHours(int hours) {
        this.pollExpireAfterHours = requirePositive(hours, "pollExpireAfterHours");
    }

    /** A provider's generation by that provider's id: {@link #NOT_FOUND} for a name or id of another shape. */
    public RetryOutcome retry(String provider, String id) {
        if (!GenerationKey.isValidId(id)) {
            return RetryOutcome.refused(NOT_FOUND);
        }
        String key;
        try {
            key = GenerationKey.of(provider, id);
        } catch (IllegalArgumentException e) {
            return RetryOutcome.refused(NOT_FOUND);
        }
        return retry(key);
    }

    /**
     * @param id the generation's store key, or the queued id of a request submitted here
     * @return moved back ({@link #RECEIVED}, {@link #SUBMITTED}), or refused with a token
     */
    public RetryOutcome retry(String id) {
        if (id == null || id.isEmpty() || id.length() > StoreSql.MAX_ID_LENGTH) {
            return RetryOutcome.refused(NOT_FOUND);
        }
        try (Connection c = connection()) {
            Target target = target(c, id);
            if (target.refusal() != null) {
                return RetryOutcome.refused(target.refusal());
            }
            Found found = target.found();
            String outcome = decide(found);
            if (outcome == null) {
                return RetryOutcome.refused(refusal(found));
            }
            // changed since the read (another retry, a late result): it is no longer this failure
            return moveBack(c, target.key(), found.error(), outcome)
                    ? RetryOutcome.moved(target.key(), outcome)
                    : RetryOutcome.refused(NOT_FAILED);
        } catch (SQLException e) {
            throw unavailable("retry a generation", e);
        }
    }

    /** The generation the id names: itself, or the one a request submitted here became. */
    private Target target(Connection c, String id) throws SQLException {
        Found found = read(c, id);
        if (found != null) {
            return new Target(id, found, null);
        }
        Sent sent = readSubmission(c, id);
        if (sent == null) {
            return new Target(null, null, NOT_FOUND);
        }
        found = sent.generationId() == null ? null : read(c, sent.generationId());
        if (found == null) {
            // a request Ideogram refused (prompt, funds, key) cannot pass; one still queued has not failed
            return new Target(null, null, "FAILED".equals(sent.state()) ? NOT_RETRYABLE : NOT_FAILED);
        }
        return new Target(sent.generationId(), found, null);
    }

    private Sent readSubmission(Connection c, String queuedId) throws SQLException {
        try (PreparedStatement ps = prepare(c, READ_SUBMISSION)) {
            ps.setString(1, queuedId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Sent(rs.getString(1), rs.getString(2)) : null;
            }
        }
    }

    private Found read(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = prepare(c, READ)) {
            ps.setLong(1, linksExpireAfterHours * 3_600_000L);
            ps.setLong(2, pollExpireAfterHours * 3_600_000L);
            ps.setString(3, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? new Found(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5))
                        : null;
            }
        }
    }

    /** The state it goes back to, or null when it stays FAILED. */
    private static String decide(Found f) {
        if (!"FAILED".equals(f.state())) {
            return null;
        }
        if (f.received()) {
            return LINKS_EXPIRED.equals(f.error()) || !f.linksAlive() ? null : RECEIVED;
        }
        return POLL_AGAIN.contains(f.error()) && f.pollWindowOpen() ? SUBMITTED : null;
    }

    private static String refusal(Found f) {
        if (!"FAILED".equals(f.state())) {
            return NOT_FAILED;
        }
        if (f.received()) {
            return LINKS_EXPIRED;
        }
        return POLL_AGAIN.contains(f.error()) ? POLL_WINDOW_PASSED : NOT_RETRYABLE;
    }

    private boolean moveBack(Connection c, String id, String error, String outcome) throws SQLException {
        try (PreparedStatement ps = prepare(c, BACK_TO_WORK)) {
            ps.setString(1, RECEIVED.equals(outcome) ? "RECEIVED" : "SUBMITTED");
            ps.setLong(2, System.currentTimeMillis());
            ps.setString(3, id);
            ps.setString(4, error == null ? "" : error);
            return ps.executeUpdate() == 1;
        }
    }

    private static int requirePositive(int hours, String name) {
        if (hours < 1) {
            throw new IllegalArgumentException(name + " must be at least 1");
        }
        return hours;
    }

    /** The generation to retry (its key and what was read), or the refusal when there is none to retry. */
    private record Target(String key, Found found, String refusal) {
    }

    /** A request submitted here: its state and, once Ideogram accepted it, its generation. */
    private record Sent(String state, String generationId) {
    }

    /** What the read found: the state and error, and whether the links and the poll window still hold. */
    private record Found(String state, String error, boolean received, boolean linksAlive, boolean pollWindowOpen) {
    }
}
