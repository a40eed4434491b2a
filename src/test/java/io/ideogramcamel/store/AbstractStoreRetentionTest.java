package io.ideogramcamel.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Retention on each real database: what ended long ago goes, everything else stays. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractStoreRetentionTest {

    private static final long DAY = TimeUnit.DAYS.toMillis(1);

    private TestDatabase db;
    private GenerationStore store;
    private StoreRetention retention;
    private final long now = System.currentTimeMillis();

    protected abstract TestDatabase createDatabase() throws Exception;

    @BeforeEach
    void start() throws Exception {
        db = createDatabase();
        store = AbstractGenerationStoreTest.newStore(db.jdbcUrl(), db.username());
        store.start();
        store.find("warm-up");
        retention = new StoreRetention();
        retention.setStore(store);
    }

    @AfterEach
    void stop() throws Exception {
        store.stop();
        db.close();
    }

    @Test
    void onlyEndedRowsOlderThanTheirRetentionAreForgottenWithTheirImagesAndRequests() throws Exception {
        generation("archived-old", "ARCHIVED", now - 40 * DAY, "q-archived-old");
        generation("archived-new", "ARCHIVED", now - 5 * DAY, null);
        generation("failed-old", "FAILED", now - 10 * DAY, null);
        generation("failed-new", "FAILED", now - DAY, null);
        // not ended: never deleted, however old
        generation("received-old", "RECEIVED", now - 100 * DAY, null);
        generation("submitted-old", "SUBMITTED", now - 100 * DAY, null);
        request("q-refused-old", "FAILED", null, now - 10 * DAY);
        request("q-refused-new", "FAILED", null, now - DAY);
        request("q-unknown-old", "UNKNOWN", null, now - 100 * DAY);
        db.execute("INSERT INTO generation_image (generation_id, image_index, outcome, object_key, recorded_at) "
                + "VALUES ('archived-old', 0, 'STORED', 'generations/archived-old/0.png', 1)");
        retention.setArchivedDays(30);
        retention.setFailedDays(7);

        // archived-old, failed-old, q-refused-old (archived-old's own request goes with it, uncounted)
        assertThat(retention.sweep()).isEqualTo(3);

        assertThat(ids("SELECT generation_id FROM generation")).containsExactlyInAnyOrder(
                "archived-new", "failed-new", "received-old", "submitted-old");
        assertThat(ids("SELECT queued_id FROM submission")).containsExactlyInAnyOrder(
                "q-refused-new", "q-unknown-old");
        assertThat(ids("SELECT generation_id FROM generation_image")).isEmpty();
    }

    @Test
    void offKeepsEverythingAndOneRunDeletesAtMostItsBatches() throws Exception {
        for (int i = 0; i < 5; i++) {
            generation("old-" + i, "ARCHIVED", now - 400 * DAY + i, null);
        }
        assertThat(retention.isEnabled()).isFalse();
        assertThat(retention.sweep()).isZero();

        retention.setArchivedDays(30);
        retention.setBatchSize(2);
        retention.setMaxBatchesPerRun(2);

        assertThat(retention.sweep()).isEqualTo(4);
        // oldest first
        assertThat(ids("SELECT generation_id FROM generation")).containsExactly("old-4");
        assertThat(retention.sweep()).isEqualTo(1);
        assertThat(retention.sweep()).isZero();
    }

    @Test
    void eventsEveryDestinationTookAreForgottenAfterTheShorterRetentionNeverAPendingOrDeadOne()
            throws Exception {
        event("evt_old_delivered", now - 10 * DAY, "DELIVERED", "DELIVERED");
        event("evt_old_dead", now - 10 * DAY, "DELIVERED", "DEAD");
        event("evt_old_pending", now - 10 * DAY, "DELIVERED", "PENDING");
        event("evt_old_without_destination", now - 10 * DAY);
        event("evt_new_delivered", now - DAY, "DELIVERED");
        retention.setArchivedDays(30);
        retention.setFailedDays(7);

        retention.sweep();

        assertThat(ids("SELECT event_id FROM event_outbox")).containsExactlyInAnyOrder(
                "evt_old_dead", "evt_old_pending", "evt_new_delivered");
        // the forgotten events' deliveries went with them
        assertThat(ids("SELECT DISTINCT event_id FROM event_delivery")).containsExactlyInAnyOrder(
                "evt_old_dead", "evt_old_pending", "evt_new_delivered");
    }

    private void event(String id, long createdAt, String... deliveryStates) throws SQLException {
        db.execute("INSERT INTO event_outbox (event_id, event_type, envelope, created_at) VALUES ('" + id
                + "', 'generation.completed', '{}', " + createdAt + ")");
        for (int i = 0; i < deliveryStates.length; i++) {
            db.execute("INSERT INTO event_delivery (event_id, destination, kind, state, updated_at) VALUES ('" + id
                    + "', 'log://events-" + i + "', 'ENDPOINT', '" + deliveryStates[i] + "', " + createdAt + ")");
        }
    }

    private void generation(String id, String state, long updatedAt, String queuedId) throws SQLException {
        db.execute("INSERT INTO generation (generation_id, state, updated_at, queued_id) VALUES ('" + id + "', '"
                + state + "', " + updatedAt + ", " + (queuedId == null ? "NULL" : "'" + queuedId + "'") + ")");
        if (queuedId != null) {
            request(queuedId, "SENT", id, updatedAt);
        }
    }

    private void request(String queuedId, String state, String generationId, long updatedAt) throws SQLException {
        db.execute("INSERT INTO submission (queued_id, request, image_count, state, generation_id, created_at, "
                + "updated_at) VALUES ('" + queuedId + "', '{}', 1, '" + state + "', "
                + (generationId == null ? "NULL" : "'" + generationId + "'") + ", 1, " + updatedAt + ")");
    }

    private List<String> ids(String sql) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
