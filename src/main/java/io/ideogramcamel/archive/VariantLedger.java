package io.ideogramcamel.archive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.ideogramcamel.store.JdbcParameters;
import io.ideogramcamel.store.LeasedRows;
import io.ideogramcamel.store.StoreLedger;
import io.ideogramcamel.store.StoreSql;
import io.ideogramcamel.store.StoreUnavailableException;

/**
 * The variants' side of the store: which variants of a generation's images are recorded, and the
 * lease under which they are made. Two leases make variants, both the generation row's own: the
 * archive's (the row RECEIVED, held by archive-generation) and the re-make's (the row ARCHIVED,
 * taken by POST /generations/{id}/variants). Every record first renews the lease it is made under,
 * in the same transaction, so a worker whose lease was taken over records nothing, and two
 * concurrent re-makes never make one variant twice.
 *
 * <p>Database failures throw {@link StoreUnavailableException} with a fixed message.
 */
public class VariantLedger extends StoreLedger {

    private static final LeasedRows ARCHIVING = new LeasedRows("generation", "generation_id", "state = 'RECEIVED'");
    private static final LeasedRows ARCHIVED = new LeasedRows("generation", "generation_id", "state = 'ARCHIVED'");

    private static final String COLUMNS = "generation_id, image_index, variant, outcome, object_key, content_type, "
            + "width, height, format, quality, size_bytes, sha256, failure_reason, recorded_at";

    private static final String LIST = "SELECT " + COLUMNS + " FROM generation_variant WHERE generation_id = ? "
            + "ORDER BY image_index, variant";

    /* A re-make replaces the row of a variant whose spec changed: under the lease, delete then insert. */
    private static final String DELETE = "DELETE FROM generation_variant WHERE generation_id = ? AND image_index = ? "
            + "AND variant = ?";
    private static final String INSERT = "INSERT INTO generation_variant (" + COLUMNS + ") "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String STATE = "SELECT state FROM generation WHERE generation_id = ?";

    /* What the manifest needs of an ARCHIVED generation, read under the re-make's lease. */
    private static final String READ_ARCHIVED = ArchiveLedger.READ_CLAIMED + " AND state = 'ARCHIVED'";

    /*
     * The re-make's lease on an ARCHIVED row, written here rather than with LeasedRows because it
     * leaves updated_at alone: GET /generations?state=archived pages by updated_at, and
     * store.retention.archived-days counts from it, so a re-make must not move the row in either.
     */
    private static final String CLAIM_REMAKE = "UPDATE generation SET lease_owner = ?, lease_until = " + StoreSql.NOW
            + " + ? WHERE generation_id = ? AND state = 'ARCHIVED' AND " + ARCHIVED.free();
    private static final String RENEW_REMAKE = "UPDATE generation SET lease_until = " + StoreSql.NOW + " + ? "
            + "WHERE generation_id = ? AND state = 'ARCHIVED' AND lease_owner = ?";
    private static final String FINISH_REMAKE = "UPDATE generation SET lease_owner = NULL, lease_until = NULL "
            + "WHERE generation_id = ? AND state = 'ARCHIVED' AND lease_owner = ?";

    private int leaseSeconds = 30;

    public VariantLedger() {
        super(5, 300);
    }

    /** archive.lease-seconds: the re-make's lease lasts as long as the archive's. */
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

    /** The re-make's heartbeat: renews a lease on an ARCHIVED row. */
    @Override
    protected boolean renewLease(String generationId, String leaseOwner) {
        try (Connection c = connection()) {
            return renewRemake(c, generationId, leaseOwner) > 0;
        } catch (SQLException e) {
            throw unavailable("renew a lease", e);
        }
    }

    /** The generation's state (QUEUED ... ARCHIVED, FAILED), or null when there is no such generation. */
    public String state(String generationId) {
        StoreSql.requireId(generationId);
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, STATE)) {
            ps.setString(1, generationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw unavailable("read a generation's state", e);
        }
    }

    /**
     * Takes an ARCHIVED generation for a re-make of its variants, as an {@link ArchiveClaim} (what
     * the manifest is written from; every image counts as recorded).
     *
     * @return null when it is not ARCHIVED or another re-make holds it
     */
    public ArchiveClaim claimForRemake(String generationId) {
        StoreSql.requireId(generationId);
        String owner = newLeaseOwner("variants");
        try (Connection c = connection()) {
            try (PreparedStatement ps = prepare(c, CLAIM_REMAKE)) {
                ps.setString(1, owner);
                ps.setLong(2, leaseMillis());
                ps.setString(3, generationId);
                if (ps.executeUpdate() == 0) {
                    return null;
                }
            }
            return readArchived(c, generationId, owner);
        } catch (SQLException e) {
            throw unavailable("claim a generation's variants", e);
        }
    }

    private ArchiveClaim readArchived(Connection c, String generationId, String owner) throws SQLException {
        try (PreparedStatement ps = prepare(c, READ_ARCHIVED)) {
            ps.setString(1, generationId);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                // an archived generation's images are all recorded
                Set<Integer> all = new TreeSet<>();
                for (ImageEntry entry : ImageEntries.parse(rs.getString(3))) {
                    all.add(entry.index());
                }
                return ArchiveLedger.claimOf(rs, generationId, owner, all);
            }
        }
    }

    /** The re-make is done: the lease is given back; the row stays ARCHIVED. */
    public boolean finishRemake(String generationId, String leaseOwner) {
        StoreSql.requireId(generationId);
        StoreSql.requireOwner(leaseOwner);
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, FINISH_REMAKE)) {
            ps.setString(1, generationId);
            ps.setString(2, leaseOwner);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw unavailable("finish a re-make", e);
        }
    }

    /**
     * Records a variant (stored or failed) under the lease it was made under, renewing it. A row
     * recorded before for the same image and variant is replaced (a re-make after the spec changed).
     *
     * @param remake true under the re-make's lease (row ARCHIVED), false under the archive's (RECEIVED)
     * @return false if the lease is no longer the caller's: nothing was recorded, stop
     */
    public boolean record(String leaseOwner, boolean remake, GenerationVariant variant) {
        StoreSql.requireId(variant.generationId());
        StoreSql.requireOwner(leaseOwner);
        if (variant.failureReason() != null) {
            StoreSql.requireReason(variant.failureReason());
        }
        try (Connection c = connection()) {
            return inTransaction(c, () -> {
                int renewed = remake ? renewRemake(c, variant.generationId(), leaseOwner)
                        : renew(c, ARCHIVING, variant.generationId(), leaseOwner);
                if (renewed == 0) {
                    return false;
                }
                try (PreparedStatement ps = prepare(c, DELETE)) {
                    ps.setString(1, variant.generationId());
                    ps.setInt(2, variant.index());
                    ps.setString(3, variant.variant());
                    ps.executeUpdate();
                }
                insert(c, variant);
                return true;
            });
        } catch (SQLException e) {
            throw unavailable("record a variant", e);
        }
    }

    private void insert(Connection c, GenerationVariant v) throws SQLException {
        try (PreparedStatement ps = prepare(c, INSERT)) {
            ps.setString(1, v.generationId());
            ps.setInt(2, v.index());
            ps.setString(3, v.variant());
            ps.setString(4, v.outcome());
            JdbcParameters.setNullableString(ps, 5, v.objectKey());
            JdbcParameters.setNullableString(ps, 6, v.contentType());
            ps.setInt(7, v.width());
            ps.setInt(8, v.height());
            ps.setString(9, v.format());
            ps.setInt(10, v.quality());
            if (v.sizeBytes() == null) {
                ps.setNull(11, Types.BIGINT);
            } else {
                ps.setLong(11, v.sizeBytes());
            }
            JdbcParameters.setNullableString(ps, 12, v.sha256());
            JdbcParameters.setNullableString(ps, 13, v.failureReason());
            ps.setLong(14, localNow());
            ps.executeUpdate();
        }
    }

    private int renew(Connection c, LeasedRows rows, String generationId, String leaseOwner) throws SQLException {
        try (PreparedStatement ps = prepare(c, rows.renew())) {
            ps.setLong(1, leaseMillis());
            ps.setLong(2, localNow());
            ps.setString(3, generationId);
            ps.setString(4, leaseOwner);
            return ps.executeUpdate();
        }
    }

    private int renewRemake(Connection c, String generationId, String leaseOwner) throws SQLException {
        try (PreparedStatement ps = prepare(c, RENEW_REMAKE)) {
            ps.setLong(1, leaseMillis());
            ps.setString(2, generationId);
            ps.setString(3, leaseOwner);
            return ps.executeUpdate();
        }
    }

    /** Every recorded variant of a generation, by image index then name. Readable in any state. */
    public List<GenerationVariant> listVariants(String generationId) {
        StoreSql.requireId(generationId);
        List<GenerationVariant> variants = new ArrayList<>();
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, LIST)) {
            ps.setString(1, generationId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long size = rs.getLong("size_bytes");
                    Long sizeBytes = rs.wasNull() ? null : size;
                    variants.add(new GenerationVariant(rs.getString("generation_id"), rs.getInt("image_index"),
                            rs.getString("variant"), rs.getString("outcome"), rs.getString("object_key"),
                            rs.getString("content_type"), rs.getInt("width"), rs.getInt("height"),
                            rs.getString("format"), rs.getInt("quality"), sizeBytes, rs.getString("sha256"),
                            rs.getString("failure_reason"), rs.getLong("recorded_at")));
                }
            }
            return variants;
        } catch (SQLException e) {
            throw unavailable("list variants", e);
        }
    }
}
