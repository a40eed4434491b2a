package io.ideogramcamel.archive;

import com.fasterxml.jackson.databind.JsonNode;
import io.ideogramcamel.events.EventOutbox;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.LeasedRows;
import io.ideogramcamel.store.JdbcParameters;
import io.ideogramcamel.store.SqlDialect;
import io.ideogramcamel.store.StoreLedger;
import io.ideogramcamel.store.StoreSql;
import io.ideogramcamel.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver's side of the store: which RECEIVED generations are due, who is archiving each one
 * (a lease), which of its images are already stored, and how the attempt ends. It shares the
 * {@link GenerationStore}'s pool and schema; a plain bean for the archive route
 * ({@code properties: store: "#bean:generationStore"}).
 *
 * <p>Every change to a generation is one UPDATE guarded by the expected state and, after the claim,
 * by the lease owner, so two workers (threads, or instances on one PostgreSQL) can never both win
 * it. A claim's {@link ArchiveClaim#leaseOwner() lease owner} is a token unique to that claim, not
 * the thread: the route may continue on another thread (async producers, a split) and still speaks
 * for its claim, while a worker whose lease lapsed and was taken over is refused even if it runs
 * on the same thread as the new owner.
 *
 * <p>Nothing here throws for "someone else has it": a null claim or a false answer means stop and
 * leave the generation alone. Database failures throw {@link StoreUnavailableException} (a fixed
 * message); the lease then lapses on its own and the timer re-drives the generation.
 */
public class ArchiveLedger extends StoreLedger {

    private static final LeasedRows ROWS = new LeasedRows("generation", "generation_id", "state = 'RECEIVED'");

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveLedger.class);

    /** The error recorded when a generation waited too long for its images to be fetched. */
    public static final String LINKS_EXPIRED = "links_expired";

    private static final int MAX_KEY_LENGTH = 1024;
    private static final int MAX_CONTENT_TYPE_LENGTH = 255;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    /*
     * Ordered by the due time alone so PostgreSQL and H2 can read the (state, next_attempt_at) index
     * in order and stop at the limit; a tie-breaker column would force a sort of every due row.
     */
    private static final String FIND_DUE = ROWS.findDue();

    /*
     * The due-time guard keeps a generation released with a backoff from being retried at once by a
     * worker that listed it as due just before the release. A row whose links have expired is not
     * claimed (EXPIRE below fails it instead).
     */
    private static final String CLAIM = ROWS.claim(
            " AND (received_at IS NULL OR received_at >= " + StoreSql.NOW + " - ?)");

    /* Only a free row: a worker that holds a live lease is left to finish (or to see the links fail). */
    private static final String EXPIRE = ROWS.finishFree("state = 'FAILED', error = '" + LINKS_EXPIRED + "'",
            " AND received_at < " + StoreSql.NOW + " - ?");

    /*
     * What the manifest is written from, read under the lease just taken (the submission's metadata,
     * if it came from one, goes into it too); the variants' re-make reads an ARCHIVED row the same way.
     */
    static final String READ_CLAIMED = "SELECT source, created, images, attempts, received_at, lease_until, "
            + "usage_cost_usd_micros, "
            + "(SELECT s.metadata FROM submission s WHERE s.queued_id = generation.queued_id) "
            + "FROM generation WHERE generation_id = ? AND lease_owner = ?";

    private static final String RECORDED_INDEXES = "SELECT image_index FROM generation_image WHERE generation_id = ?";

    /*
     * A lapsed lease that nobody has taken over yet may still be renewed by its owner: lease_owner
     * alone says who holds the row. On PostgreSQL this UPDATE locks the row, so a competing claim
     * waits for it and then re-checks lease_until against the renewed value.
     */
    private static final String RENEW = ROWS.renew();

    private static final String IMAGE_COLUMNS = "generation_id, image_index, outcome, object_key, content_type, "
            + "size_bytes, sha256, refused_reason, recorded_at";

    /*
     * Insert if absent. Every insert first passes RENEW in the same transaction, which holds the
     * generation row's lock until commit, so inserts for one generation never race; ON CONFLICT on
     * PostgreSQL is a second line. H2 2.3 has no ON CONFLICT (see SqlDialect).
     */
    private static final String INSERT_IMAGE_POSTGRESQL = "INSERT INTO generation_image (" + IMAGE_COLUMNS + ") "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (generation_id, image_index) DO NOTHING";
    private static final String INSERT_IMAGE_H2 = "INSERT INTO generation_image (" + IMAGE_COLUMNS + ") "
            + "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
            + "(SELECT 1 FROM generation_image WHERE generation_id = ? AND image_index = ?)";

    private static final String LIST_IMAGES = "SELECT " + IMAGE_COLUMNS + " FROM generation_image "
            + "WHERE generation_id = ? ORDER BY image_index";

    private static final String ARCHIVE = ROWS.finish("state = 'ARCHIVED', error = NULL");

    /* The recorded images stay: they say what is in the bucket for whoever looks at a FAILED row. */
    private static final String FAIL = ROWS.finish("state = 'FAILED', error = ?");

    /* What an earlier run of this instance id held (it died): due now, free for any worker. */
    private static final String RELEASE_EARLIER = ROWS.releaseEarlier();

    private static final String COUNT_BY_STATE = "SELECT COUNT(*) FROM generation WHERE state = ?";

    private int leaseSeconds = 30;
    private int linksExpireAfterHours = 24;
    private EventOutbox outbox = new EventOutbox();

    public ArchiveLedger() {
        super(5, 300);
    }

    /**
     * How long a claim lasts without renewal. The route keeps its claim alive ({@link #keepAlive},
     * every third of this) and each recorded image renews it too, so it only has to cover a stalled
     * database round or two, not a slow image. Another instance takes over a dead one's generations
     * after this long (a restarted instance releases its own at once).
     */
    public void setLeaseSeconds(int leaseSeconds) {
        if (leaseSeconds < 1) {
            throw new IllegalArgumentException("leaseSeconds must be at least 1");
        }
        this.leaseSeconds = leaseSeconds;
    }

    /** Where the end of each generation is told (generation.completed, generation.failed). */
    public void setOutbox(EventOutbox outbox) {
        this.outbox = outbox;
    }

    /** Ideogram's result links expire 24 h after the result; a generation received longer ago is FAILED. */
    public void setLinksExpireAfterHours(int linksExpireAfterHours) {
        if (linksExpireAfterHours < 1) {
            throw new IllegalArgumentException("linksExpireAfterHours must be at least 1");
        }
        this.linksExpireAfterHours = linksExpireAfterHours;
    }

    /**
     * Ids of RECEIVED generations that are due (next_attempt_at has passed) and not leased by a live
     * worker, the longest due first. A listed id may still be claimed by someone else first: list,
     * then {@link #claimForArchive(String) claim} each.
     *
     * @param limit the most ids returned; 0 or less returns none
     * @throws StoreUnavailableException if the database cannot be read
     */
    public List<String> findDueForArchive(int limit) {
        // the first call of a run also releases what this instance id held before it restarted
        return findDue(FIND_DUE, limit, "list due generations");
    }

    /**
     * Claims a due RECEIVED generation for this worker until now + leaseSeconds.
     *
     * <p>A generation received more than linksExpireAfterHours ago is not claimed: if no live worker
     * holds it, it moves to FAILED with error {@value #LINKS_EXPIRED}, and null is returned.
     *
     * @return the claim, or null when there is nothing for this worker: unknown id, not RECEIVED
     *         (already ARCHIVED or FAILED), leased by a live worker, not due yet (backing off), or
     *         expired
     * @throws StoreUnavailableException if the database cannot be used; nothing was claimed, or a
     *                                   claim was made that lapses after leaseSeconds
     */
    public ArchiveClaim claimForArchive(String generationId) {
        StoreSql.requireId(generationId);
        try (Connection c = connection()) {
            ClaimOrExpiry claim = claimOrExpire(c, CLAIM, EXPIRE, generationId, "",
                    linksExpireAfterHours * 3_600_000L,
                    (tx, now) -> outbox.appendFailed(tx, generationId, LINKS_EXPIRED, now));
            if (claim.leaseOwner() == null) {
                if (claim.expired()) {
                    LOG.info("Generation {} FAILED: its result links expired before it could be archived",
                            generationId);
                }
                return null;
            }
            LOG.debug("Claimed generation {} for archiving as {} on {}", generationId, claim.leaseOwner(),
                    Thread.currentThread().getName());
            return readClaim(c, generationId, claim.leaseOwner());
        } catch (SQLException e) {
            throw unavailable("claim a generation", e);
        }
    }

    private ArchiveClaim readClaim(Connection c, String generationId, String owner) throws SQLException {
        Set<Integer> recorded = new TreeSet<>();
        try (PreparedStatement ps = prepare(c, RECORDED_INDEXES)) {
            ps.setString(1, generationId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    recorded.add(rs.getInt(1));
                }
            }
        }
        try (PreparedStatement ps = prepare(c, READ_CLAIMED)) {
            ps.setString(1, generationId);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                // none: taken over already, only a lease shorter than this round trip gets here
                return rs.next() ? claimOf(rs, generationId, owner, recorded) : null;
            }
        }
    }

    /** The claim a row of {@link #READ_CLAIMED} makes, with the image indexes counted as recorded. */
    static ArchiveClaim claimOf(ResultSet rs, String generationId, String owner, Set<Integer> recorded)
            throws SQLException {
        long cost = rs.getLong(7);
        Long costMicros = rs.wasNull() ? null : cost;
        return new ArchiveClaim(generationId, owner, rs.getLong(6), rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getInt(4), rs.getLong(5), recorded, costMicros, rs.getString(8));
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
     * Extends the lease to now + leaseSeconds (the database's now), e.g. before a fetch that may take long.
     *
     * @return true if the caller still holds the lease; false if it was lost (taken over after it
     *         lapsed) or the generation is no longer RECEIVED: stop working on it
     */
    @Override
    public boolean renewLease(String generationId, String leaseOwner) {
        StoreSql.requireId(generationId);
        StoreSql.requireOwner(leaseOwner);
        try (Connection c = connection()) {
            return renew(c, generationId, leaseOwner, localNow()) > 0;
        } catch (SQLException e) {
            throw unavailable("renew a lease", e);
        }
    }

    /**
     * Records an image written to the bucket (or folder), and renews the lease. Recording an index
     * that is already recorded changes nothing (the first record stands) and still answers true.
     *
     * @param sha256 lower-case hex SHA-256 of the stored bytes (upper case is folded)
     * @return true if the caller still holds the lease and the image is recorded; false if the lease
     *         was lost or the generation is no longer RECEIVED: nothing was recorded, stop
     * @throws StoreUnavailableException if the database cannot be used
     */
    public boolean recordImage(String generationId, String leaseOwner, int index, String objectKey,
            String contentType, long sizeBytes, String sha256) {
        StoreSql.requireId(generationId);
        StoreSql.requireOwner(leaseOwner);
        requireIndex(index);
        if (objectKey == null || objectKey.isEmpty() || objectKey.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("objectKey must have 1 to " + MAX_KEY_LENGTH + " characters");
        }
        if (contentType == null || contentType.isEmpty() || contentType.length() > MAX_CONTENT_TYPE_LENGTH) {
            throw new IllegalArgumentException("contentType must have 1 to " + MAX_CONTENT_TYPE_LENGTH + " characters");
        }
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must not be negative");
        }
        String digest = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
        if (digest == null || !SHA256_HEX.matcher(digest).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 hex digits");
        }
        return record(generationId, leaseOwner, new GenerationImage(generationId, index, GenerationImage.STORED,
                objectKey, contentType, sizeBytes, digest, null, 0));
    }

    /**
     * Records an image that is deliberately not stored (Ideogram flagged it unsafe, its host is not
     * allowed), so the manifest lists it with the reason and a re-run skips it. Renews the lease.
     *
     * @param reason a fixed token such as {@code unsafe_image} or {@code host_not_allowed}: letters,
     *               digits, {@code _ . : -}, at most 64 characters, never exception text
     * @return as {@link #recordImage}
     */
    public boolean recordRefusedImage(String generationId, String leaseOwner, int index, String reason) {
        StoreSql.requireId(generationId);
        StoreSql.requireOwner(leaseOwner);
        requireIndex(index);
        StoreSql.requireReason(reason);
        return record(generationId, leaseOwner, new GenerationImage(generationId, index, GenerationImage.REFUSED,
                null, null, null, null, reason, 0));
    }

    private boolean record(String generationId, String leaseOwner, GenerationImage image) {
        long now = localNow();
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                if (renew(c, generationId, leaseOwner, now) == 0) {
                    c.rollback();
                    return false;
                }
                insertImage(c, image, now);
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable("record an image", e);
        }
    }

    private int renew(Connection c, String generationId, String leaseOwner, long now) throws SQLException {
        try (PreparedStatement ps = prepare(c, RENEW)) {
            ps.setLong(1, leaseMillis());
            ps.setLong(2, now);
            ps.setString(3, generationId);
            ps.setString(4, leaseOwner);
            return ps.executeUpdate();
        }
    }

    private void insertImage(Connection c, GenerationImage image, long now) throws SQLException {
        boolean h2 = requireStore().dialect() == SqlDialect.H2;
        try (PreparedStatement ps = prepare(c, h2 ? INSERT_IMAGE_H2 : INSERT_IMAGE_POSTGRESQL)) {
            ps.setString(1, image.generationId());
            ps.setInt(2, image.index());
            ps.setString(3, image.outcome());
            JdbcParameters.setNullableString(ps, 4, image.objectKey());
            JdbcParameters.setNullableString(ps, 5, image.contentType());
            if (image.sizeBytes() == null) {
                ps.setNull(6, Types.BIGINT);
            } else {
                ps.setLong(6, image.sizeBytes());
            }
            JdbcParameters.setNullableString(ps, 7, image.sha256());
            JdbcParameters.setNullableString(ps, 8, image.refusedReason());
            ps.setLong(9, now);
            if (h2) {
                ps.setString(10, image.generationId());
                ps.setInt(11, image.index());
            }
            ps.executeUpdate();
        }
    }

    /**
     * Every recorded image of a generation, stored and refused, in index order: the manifest's
     * source. Readable in any state, also after ARCHIVED or FAILED.
     *
     * @throws StoreUnavailableException if the database cannot be read
     */
    public List<GenerationImage> listImages(String generationId) {
        StoreSql.requireId(generationId);
        List<GenerationImage> images = new ArrayList<>();
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, LIST_IMAGES)) {
            ps.setString(1, generationId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long size = rs.getLong("size_bytes");
                    Long sizeBytes = rs.wasNull() ? null : size;
                    images.add(new GenerationImage(
                            rs.getString("generation_id"),
                            rs.getInt("image_index"),
                            rs.getString("outcome"),
                            rs.getString("object_key"),
                            rs.getString("content_type"),
                            sizeBytes,
                            rs.getString("sha256"),
                            rs.getString("refused_reason"),
                            rs.getLong("recorded_at")));
                }
            }
            return images;
        } catch (SQLException e) {
            throw unavailable("list images", e);
        }
    }

    /** The object keys of the stored images in index order (refused images have none). */
    public List<String> storedKeys(String generationId) {
        List<String> keys = new ArrayList<>();
        for (GenerationImage image : listImages(generationId)) {
            if (image.isStored()) {
                keys.add(image.objectKey());
            }
        }
        return keys;
    }

    /**
     * RECEIVED → ARCHIVED, once the manifest is written; clears the lease and the last error. In the
     * same transaction: the generation.completed event, made from the manifest as written.
     *
     * @param manifestKey the manifest's object key
     * @param manifest    the manifest as written (its source, created and images[] go into the event)
     * @return true if this call archived it; false if the caller no longer holds the lease or the
     *         generation is not RECEIVED (nothing changed, no event)
     * @throws StoreUnavailableException if the database cannot be used; nothing changed
     */
    public boolean markArchived(String generationId, String leaseOwner, String manifestKey, JsonNode manifest) {
        StoreSql.requireId(generationId);
        StoreSql.requireOwner(leaseOwner);
        if (manifestKey == null || manifest == null) {
            throw new IllegalArgumentException("the manifest and its key are required");
        }
        long now = localNow();
        try (Connection c = connection()) {
            return changeAlongWith(c, ARCHIVE, ps -> {
                ps.setLong(1, now);
                ps.setString(2, generationId);
                ps.setString(3, leaseOwner);
            }, tx -> outbox.appendCompleted(tx, generationId, manifestKey, manifest, now));
        } catch (SQLException e) {
            throw unavailable("archive a generation", e);
        }
    }

    /**
     * RECEIVED → FAILED for a permanent failure (the image host answered 4xx, the links expired).
     * The recorded images are kept. In the same transaction: the generation.failed event.
     *
     * @param reason a fixed token such as {@code image_http_404}, as for {@link #recordRefusedImage}
     * @return true if this call failed it; false if the caller no longer holds the lease or the
     *         generation is not RECEIVED (nothing changed, no event)
     * @throws StoreUnavailableException if the database cannot be used; nothing changed
     */
    public boolean markFailed(String generationId, String leaseOwner, String reason) {
        return failHeld(FAIL, generationId, leaseOwner, reason,
                (tx, now) -> outbox.appendFailed(tx, generationId, reason, now));
    }

    /**
     * Gives the generation back after a transient failure (S3 down, the image host answered 5xx):
     * attempts + 1, error = reason, lease cleared, and due again after a backoff of
     * retryInitialDelaySeconds doubling per earlier attempt up to retryMaxDelaySeconds. The generation
     * stays RECEIVED; the timer claims it again when it is due. There is no attempt limit: the links'
     * expiry ends the retries.
     *
     * @param reason a fixed token such as {@code s3_unavailable} or {@code image_http_503}
     * @return true if released; false if the caller no longer holds the lease or the generation is not
     *         RECEIVED (nothing changed)
     */
    public boolean releaseForRetry(String generationId, String leaseOwner, String reason) {
        StoreSql.requireId(generationId);
        StoreSql.requireOwner(leaseOwner);
        StoreSql.requireReason(reason);
        long now = localNow();
        // The backoff depends on the row's own attempts, so it is computed in the same guarded
        // statement instead of from a value read earlier.
        String sql = ROWS.later(retryDelayMillisSql(), ", error = ?");
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, sql)) {
            ps.setString(1, reason);
            ps.setLong(2, now);
            ps.setString(3, generationId);
            ps.setString(4, leaseOwner);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw unavailable("release a generation", e);
        }
    }

    /**
     * How many generations are in a state (QUEUED, SUBMITTED, RECEIVED, ARCHIVED, FAILED; any case).
     * Reads the (state, next_attempt_at) index; meant for tests and operations, not for every exchange.
     */
    public long countByState(String state) {
        GenerationState s;
        try {
            s = GenerationState.valueOf(state == null ? "" : state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown state");
        }
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, COUNT_BY_STATE)) {
            ps.setString(1, s.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw unavailable("count generations", e);
        }
    }

    private static void requireIndex(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("image index must not be negative");
        }
    }
}
