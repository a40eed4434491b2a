package io.ideogramcamel.campaign;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import io.ideogramcamel.GenerationKey;
import io.ideogramcamel.store.JdbcParameters;
import io.ideogramcamel.store.StoreAccess;
import io.ideogramcamel.store.StoreSql;
import io.ideogramcamel.submit.SubmissionLedger;

/**
 * The campaigns' side of the store: a campaign and all its submissions recorded in one transaction
 * (all of them queued, or nothing), and what GET /campaigns... reads. The submissions themselves
 * are plain QUEUED rows: the dispatcher sends them in arrival order within the in-flight budget.
 */
public class CampaignLedger extends StoreAccess {

    private static final int MAX_ID_LENGTH = 64;

    private static final String INSERT = "INSERT INTO campaign (campaign_id, name, metadata, callback_url, "
            + "idempotency_key, request_sha256, request_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_REQUEST = "INSERT INTO campaign_request (campaign_id, position, product, "
            + "format, queued_id) VALUES (?, ?, ?, ?, ?)";
    private static final String COLUMNS = "campaign_id, name, metadata, callback_url, request_sha256, request_count, "
            + "created_at, completed_at";
    private static final String FIND = "SELECT " + COLUMNS + " FROM campaign WHERE campaign_id = ?";
    private static final String FIND_BY_KEY = "SELECT " + COLUMNS + " FROM campaign WHERE idempotency_key = ?";
    private static final String LIST = "SELECT " + COLUMNS + " FROM campaign "
            + "ORDER BY created_at DESC, campaign_id DESC FETCH FIRST ? ROWS ONLY";
    /* A request of the campaign whose generation was archived: what the manifest is made of. */
    private static final String ARCHIVED_JOINS = "FROM campaign_request r "
            + "JOIN submission s ON s.queued_id = r.queued_id "
            + "JOIN generation g ON g.generation_id = s.generation_id AND g.state = 'ARCHIVED' ";
    /* One row per stored image of an archived generation of the campaign, in request then image order. */
    private static final String MANIFEST = "SELECT r.product, r.format, g.generation_id, i.image_index, "
            + "i.object_key, i.content_type, i.size_bytes, i.sha256 " + ARCHIVED_JOINS
            + "JOIN generation_image i ON i.generation_id = g.generation_id AND i.outcome = 'STORED' "
            + "WHERE r.campaign_id = ? ORDER BY r.position, i.image_index";
    /* The stored variants of those images (generation_variant), folded into their rows. */
    private static final String MANIFEST_VARIANTS = "SELECT g.generation_id, v.image_index, v.variant, v.object_key "
            + ARCHIVED_JOINS
            + "JOIN generation_variant v ON v.generation_id = g.generation_id AND v.outcome = 'STORED' "
            + "WHERE r.campaign_id = ?";

    private SubmissionLedger submissions;

    /** Where the campaign's requests are queued (in the campaign's transaction). */
    public void setSubmissions(SubmissionLedger submissions) {
        this.submissions = submissions;
    }

    /**
     * Records the campaign and queues every request of it, in one transaction. Under an
     * Idempotency-Key already taken nothing is written and the first campaign is returned.
     *
     * @return the campaign now stored under this key (the plan's, or the first one's)
     * @throws io.ideogramcamel.store.StoreUnavailableException if the database cannot be used; nothing was recorded
     */
    public Campaign create(String idempotencyKey, CampaignPlan plan) {
        try (Connection c = connection()) {
            try {
                return inTransaction(c, () -> insert(c, idempotencyKey, plan));
            } catch (SQLException e) {
                if (idempotencyKey == null || !StoreSql.isConstraintViolation(e)) {
                    throw e;
                }
                // the same key committed first (a concurrent repeat): its campaign is the answer
                return findOne(c, FIND_BY_KEY, idempotencyKey).orElseThrow(() -> e);
            }
        } catch (SQLException e) {
            throw unavailable("record a campaign", e);
        }
    }

    private Campaign insert(Connection c, String idempotencyKey, CampaignPlan plan) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = prepare(c, INSERT)) {
            ps.setString(1, plan.campaignId());
            ps.setString(2, plan.name());
            JdbcParameters.setNullableString(ps, 3, plan.metadata());
            JdbcParameters.setNullableString(ps, 4, plan.callbackUrl());
            JdbcParameters.setNullableString(ps, 5, idempotencyKey);
            ps.setString(6, plan.requestSha256());
            ps.setInt(7, plan.size());
            ps.setLong(8, now);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = prepare(c, INSERT_REQUEST)) {
            int position = 0;
            for (CampaignPlan.Planned p : plan.requests()) {
                String queuedId = submissions.enqueueWith(c, p.checked().request(), p.checked().imageCount(),
                        p.checked().callbackUrl(), p.checked().metadata());
                ps.setString(1, plan.campaignId());
                ps.setInt(2, position++);
                ps.setString(3, p.product());
                ps.setString(4, p.format());
                ps.setString(5, queuedId);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return new Campaign(plan.campaignId(), plan.name(), plan.metadata(), plan.callbackUrl(), plan.requestSha256(),
                plan.size(), now, null);
    }

    /** The campaign first recorded under an Idempotency-Key, if any. */
    public Optional<Campaign> findByIdempotencyKey(String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isEmpty() || idempotencyKey.length() > 256) {
            return Optional.empty();
        }
        return read(FIND_BY_KEY, idempotencyKey);
    }

    public Optional<Campaign> find(String campaignId) {
        if (campaignId == null || campaignId.isEmpty() || campaignId.length() > MAX_ID_LENGTH) {
            return Optional.empty();
        }
        return read(FIND, campaignId);
    }

    /** The newest campaigns first, at most {@code limit}. */
    public List<Campaign> list(int limit) {
        try (Connection c = connection(); PreparedStatement ps = prepare(c, LIST)) {
            ps.setInt(1, limit);
            List<Campaign> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(Campaign.of(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw unavailable("list campaigns", e);
        }
    }

    /** Every request of a campaign as it stands, in the order they were queued. */
    public List<CampaignRequest> requests(String campaignId) {
        try (Connection c = connection(); PreparedStatement ps = prepare(c, CampaignRequest.READ)) {
            return CampaignRequest.readAll(ps, campaignId);
        } catch (SQLException e) {
            throw unavailable("read a campaign's requests", e);
        }
    }

    /** One row per stored image of the campaign's archived generations, with its stored variants. */
    public List<ManifestRow> manifest(String campaignId) {
        try (Connection c = connection()) {
            Map<String, VariantKeys> variants = variantKeys(c, campaignId);
            List<ManifestRow> rows = new ArrayList<>();
            try (PreparedStatement ps = prepare(c, MANIFEST)) {
                ps.setString(1, campaignId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long size = rs.getLong(7);
                        Long sizeBytes = rs.wasNull() ? null : size;
                        rows.add(new ManifestRow(rs.getString(1), rs.getString(2), GenerationKey.idOf(rs.getString(3)),
                                rs.getInt(4), rs.getString(5), rs.getString(6), sizeBytes, rs.getString(8),
                                variants.getOrDefault(imageOf(rs.getString(3), rs.getInt(4)), VariantKeys.none())));
                    }
                }
            }
            return rows;
        } catch (SQLException e) {
            throw unavailable("read a campaign's manifest", e);
        }
    }

    private Map<String, VariantKeys> variantKeys(Connection c, String campaignId) throws SQLException {
        Map<String, SortedMap<String, String>> byImage = new HashMap<>();
        try (PreparedStatement ps = prepare(c, MANIFEST_VARIANTS)) {
            ps.setString(1, campaignId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byImage.computeIfAbsent(imageOf(rs.getString(1), rs.getInt(2)), k -> new TreeMap<>())
                            .put(rs.getString(3), rs.getString(4));
                }
            }
        }
        Map<String, VariantKeys> keys = new HashMap<>();
        byImage.forEach((image, byName) -> keys.put(image, new VariantKeys(byName)));
        return keys;
    }

    private static String imageOf(String generationKey, int imageIndex) {
        return generationKey + "#" + imageIndex;
    }

    private Optional<Campaign> read(String sql, String key) {
        try (Connection c = connection()) {
            return findOne(c, sql, key);
        } catch (SQLException e) {
            throw unavailable("read a campaign", e);
        }
    }

    private Optional<Campaign> findOne(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Campaign.of(rs)) : Optional.empty();
            }
        }
    }
}
