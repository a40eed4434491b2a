package io.ideogramcamel.webhook;

import io.ideogramcamel.events.EventOutbox;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.JdbcParameters;
import io.ideogramcamel.store.OverridableFailures;
import io.ideogramcamel.store.StoreAccess;
import io.ideogramcamel.store.StoreSql;
import io.ideogramcamel.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * What a provider other than Ideogram tells the store besides a result: which of its deliveries
 * were handled (so a repeat is a duplicate), a failure it reports, and progress before the result.
 * A result itself goes through the one accept path every provider shares
 * ({@link GenerationStore#acceptReceived}). Shares the store's pool and schema.
 */
public class ProviderLedger extends StoreAccess {

    /**
     * The failure tokens of unsigned callbacks (ImagineAPI, RunBlob): whoever knows the path token
     * can send one, and nobody confirmed it, so a later result confirmed with the provider's own API
     * still takes the generation (the writer's late-result transition).
     */
    public static final List<String> UNCONFIRMED_FAILURES = OverridableFailures.UNCONFIRMED_BY_PROVIDER;

    private static final String DELIVERY_SEEN = "SELECT 1 FROM provider_delivery WHERE provider = ? AND delivery_id = ?";

    private static final String RECORD_DELIVERY = "INSERT INTO provider_delivery "
            + "(provider, delivery_id, generation_key, event_type, received_at) VALUES (?, ?, ?, ?, ?)";

    /* Only a generation the store does not hold yet: a result or an earlier failure stands. */
    private static final String RECORD_FAILED = "INSERT INTO generation (generation_id, state, source, error, "
            + "attempts, updated_at, received_at) SELECT ?, 'FAILED', ?, ?, 0, ?, ? "
            + "WHERE NOT EXISTS (SELECT 1 FROM generation WHERE generation_id = ?)";

    /*
     * Progress moves forward only: an update that arrives late (a lower percent, or none after a
     * percent) does not take it back; updates without any percent replace each other.
     */
    private static final String UPDATE_PROGRESS = "UPDATE provider_progress SET status = ?, progress = ?, updated_at = ? "
            + "WHERE generation_key = ? AND ((CAST(? AS INTEGER) IS NULL AND progress IS NULL) "
            + "OR (CAST(? AS INTEGER) IS NOT NULL AND (progress IS NULL OR progress <= ?)))";

    private static final String INSERT_PROGRESS = "INSERT INTO provider_progress "
            + "(generation_key, status, progress, updated_at) SELECT ?, ?, ?, ? "
            + "WHERE NOT EXISTS (SELECT 1 FROM provider_progress WHERE generation_key = ?)";

    private static final String FIND_PROGRESS = "SELECT status, progress, updated_at FROM provider_progress "
            + "WHERE generation_key = ?";

    private EventOutbox outbox = new EventOutbox();

    private static final int MAX_DELIVERY_ID = 256;
    private static final int MAX_TYPE = 64;
    private static final int MAX_STATUS = 32;

    /** Where a recorded failure is told (generation.failed), in the transaction that records it. */
    public void setOutbox(EventOutbox outbox) {
        this.outbox = outbox;
    }

    /**
     * Whether this delivery was handled before (its effects are committed).
     *
     * @throws StoreUnavailableException if the store cannot be read
     */
    public boolean isDeliverySeen(String provider, String deliveryId) {
        requireDelivery(provider, deliveryId);
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, DELIVERY_SEEN)) {
            ps.setString(1, provider);
            ps.setString(2, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw unavailable("read a provider delivery", e);
        }
    }

    /**
     * Records a handled delivery, after what it said was committed.
     *
     * @param generationKey the generation it was about, or null
     * @param eventType     the provider's event type or status, or null; cut to 64 characters
     * @return false when it was recorded already (a concurrent repeat)
     * @throws StoreUnavailableException if the row could not be written
     */
    public boolean recordDelivery(String provider, String deliveryId, String generationKey, String eventType) {
        requireDelivery(provider, deliveryId);
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, RECORD_DELIVERY)) {
            ps.setString(1, provider);
            ps.setString(2, deliveryId);
            ps.setString(3, generationKey);
            ps.setString(4, cut(eventType, MAX_TYPE));
            ps.setLong(5, System.currentTimeMillis());
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            if (StoreSql.isConstraintViolation(e)) {
                return false;
            }
            throw unavailable("record a provider delivery", e);
        }
    }

    /**
     * A provider says its generation failed: recorded FAILED with the reason, unless the store holds
     * the generation already (a result, or the same failure told before), which stays as it is. The
     * generation.failed event is written in the same transaction, only when this call recorded it.
     *
     * @param reason a fixed token such as {@code provider_failed}
     * @return true if this call recorded the failure
     * @throws StoreUnavailableException if the row could not be written; nothing was recorded
     */
    public boolean recordFailed(String generationKey, String source, String reason) {
        StoreSql.requireId(generationKey);
        StoreSql.requireReason(reason);
        long now = System.currentTimeMillis();
        try (Connection c = connection()) {
            return changeAlongWith(c, RECORD_FAILED, ps -> {
                ps.setString(1, generationKey);
                ps.setString(2, source);
                ps.setString(3, reason);
                ps.setLong(4, now);
                ps.setLong(5, now);
                ps.setString(6, generationKey);
            }, tx -> outbox.appendFailed(tx, generationKey, reason, now));
        } catch (SQLException e) {
            if (StoreSql.isConstraintViolation(e)) {
                return false;
            }
            throw unavailable("record a provider's failure", e);
        }
    }

    /**
     * Progress before the result, shown until the generation itself is recorded.
     *
     * @param progress percent (clamped to 0..100), or null when the provider did not say
     * @throws StoreUnavailableException if the row could not be written
     */
    public void recordProgress(String generationKey, String status, Integer progress) {
        StoreSql.requireId(generationKey);
        String s = cut(status == null || status.isBlank() ? "pending" : status, MAX_STATUS);
        Integer p = progress == null ? null : Math.max(0, Math.min(100, progress));
        long now = System.currentTimeMillis();
        try (Connection c = connection()) {
            if (updateProgress(c, generationKey, s, p, now) > 0) {
                return;
            }
            try (PreparedStatement ps = prepare(c, INSERT_PROGRESS)) {
                ps.setString(1, generationKey);
                ps.setString(2, s);
                JdbcParameters.setNullableInt(ps, 3, p);
                ps.setLong(4, now);
                ps.setString(5, generationKey);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (!StoreSql.isConstraintViolation(e)) {
                    throw e;
                }
                // a concurrent update inserted it first: apply this one over it
                updateProgress(c, generationKey, s, p, now);
            }
        } catch (SQLException e) {
            throw unavailable("record a provider's progress", e);
        }
    }

    /**
     * The last progress a provider reported for a generation not yet recorded, if any.
     *
     * @throws StoreUnavailableException if the store cannot be read
     */
    public Optional<ProviderProgress> findProgress(String generationKey) {
        try (Connection c = connection();
                PreparedStatement ps = prepare(c, FIND_PROGRESS)) {
            ps.setString(1, generationKey);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String status = rs.getString("status");
                // wasNull speaks of the column read last: read progress last
                int p = rs.getInt("progress");
                Integer progress = rs.wasNull() ? null : p;
                return Optional.of(new ProviderProgress(status, progress, rs.getLong("updated_at")));
            }
        } catch (SQLException e) {
            throw unavailable("read a provider's progress", e);
        }
    }

    private int updateProgress(Connection c, String key, String status, Integer progress, long now)
            throws SQLException {
        try (PreparedStatement ps = prepare(c, UPDATE_PROGRESS)) {
            ps.setString(1, status);
            JdbcParameters.setNullableInt(ps, 2, progress);
            ps.setLong(3, now);
            ps.setString(4, key);
            JdbcParameters.setNullableInt(ps, 5, progress);
            JdbcParameters.setNullableInt(ps, 6, progress);
            JdbcParameters.setNullableInt(ps, 7, progress);
            return ps.executeUpdate();
        }
    }

    private static void requireDelivery(String provider, String deliveryId) {
        if (provider == null || provider.isEmpty() || provider.length() > 32) {
            throw new IllegalArgumentException("provider must have 1 to 32 characters");
        }
        if (deliveryId == null || deliveryId.isEmpty() || deliveryId.length() > MAX_DELIVERY_ID) {
            throw new IllegalArgumentException("delivery id must have 1 to " + MAX_DELIVERY_ID + " characters");
        }
    }

    private static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
