package io.ideogramcamel.events;

import static io.ideogramcamel.store.AbstractGenerationStoreTest.newStore;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import io.ideogramcamel.store.GenerationStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operators' reads and replays of events, on each real database (the subclasses): an event's
 * state summed over its deliveries, newest first, and replays that move ended deliveries back to
 * PENDING with the same event and never a delivery someone holds a live lease on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractEventOperationsTest {

    private static final long FAR_FUTURE = 4_000_000_000_000L;

    protected TestDatabase db;
    private GenerationStore store;
    private EventBrowser browser;
    private EventRedelivery redelivery;

    protected abstract TestDatabase createDatabase() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        db = createDatabase();
        store = newStore(db.jdbcUrl(), db.username());
        store.start();
        store.find("schema"); // applies the migrations
        browser = new EventBrowser();
        browser.setStore(store);
        redelivery = new EventRedelivery();
        redelivery.setStore(store);
    }

    @AfterEach
    void tearDown() throws Exception {
        store.stop();
        db.close();
    }

    /** An event created at {@code createdAt} with one delivery per state given, to destinations d0, d1... */
    private void event(String id, long createdAt, String... deliveryStates) throws Exception {
        db.execute("INSERT INTO event_outbox (event_id, event_type, generation_id, envelope, created_at) VALUES ('"
                + id + "', 'generation.completed', 'gen-" + id + "', '{\"id\":\"" + id
                + "\",\"type\":\"generation.completed\",\"data\":{\"n\":1}}', " + createdAt + ")");
        for (int i = 0; i < deliveryStates.length; i++) {
            db.execute("INSERT INTO event_delivery (event_id, destination, kind, state, attempts, next_attempt_at, "
                    + "last_status, last_error, updated_at) VALUES ('" + id + "', 'd" + i + "', 'CALLBACK', '"
                    + deliveryStates[i] + "', 15, NULL, 500, 'http_500', 1)");
        }
    }

    private List<String> ids(EventState state, int limit) {
        return browser.page(state, limit).stream().map(e -> e.get("id").asText()).toList();
    }

    private List<String> rows(String eventId) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT destination, state, attempts, lease_owner, "
                        + "next_attempt_at IS NOT NULL, last_error FROM event_delivery WHERE event_id = ? "
                        + "ORDER BY destination")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getInt(3) + " " + rs.getString(4)
                            + " " + (rs.getBoolean(5) ? "due" : "-") + " " + rs.getString(6));
                }
            }
        }
        return rows;
    }

    @Test
    void anEventsStateIsDeadIfAnyDeliveryIsThenPendingThenDeliveredNewestFirst() throws Exception {
        event("evt_dead", 100, "DELIVERED", "DEAD", "PENDING");
        event("evt_pending", 200, "DELIVERED", "PENDING");
        event("evt_delivered", 300, "DELIVERED", "DELIVERED");
        event("evt_none", 400);
        event("evt_dead2", 500, "DEAD");

        assertThat(ids(EventState.DEAD, 50)).containsExactly("evt_dead2", "evt_dead");
        assertThat(ids(EventState.PENDING, 50)).containsExactly("evt_pending");
        assertThat(ids(EventState.DELIVERED, 50)).containsExactly("evt_none", "evt_delivered");
        assertThat(ids(EventState.DEAD, 1)).containsExactly("evt_dead2");

        ObjectNode dead = browser.page(EventState.DEAD, 50).get(1);
        assertThat(dead.get("state").asText()).isEqualTo("dead");
        assertThat(dead.get("type").asText()).isEqualTo("generation.completed");
        assertThat(dead.get("created").asText()).isEqualTo("1970-01-01T00:00:00.100Z");
        assertThat(dead.get("destinations")).hasSize(3);
        assertThat(dead.get("destinations").get(1).toString()).isEqualTo(
                "{\"destination\":\"d1\",\"state\":\"dead\",\"attempts\":15,\"last_status\":500,\"last_error\":\"http_500\"}");
        assertThat(browser.page(EventState.DELIVERED, 50).get(0).get("destinations")).isEmpty();
    }

    @Test
    void oneEventComesWithItsEnvelopeAsStored() throws Exception {
        event("evt_one", 100, "PENDING");

        ObjectNode one = browser.find("evt_one").orElseThrow();

        assertThat(one.get("state").asText()).isEqualTo("pending");
        assertThat(one.get("envelope").toString())
                .isEqualTo("{\"id\":\"evt_one\",\"type\":\"generation.completed\",\"data\":{\"n\":1}}");
        assertThat(browser.find("evt_other")).isEmpty();
    }

    @Test
    void redeliveringAnEventMovesItsEndedDeliveriesBackToPendingButNotALeasedOne() throws Exception {
        event("evt_r", 100, "DEAD", "DELIVERED", "PENDING", "DEAD");
        // d3 is being sent by someone right now: left alone
        db.execute("UPDATE event_delivery SET lease_owner = 'other-x', lease_until = " + FAR_FUTURE
                + " WHERE event_id = 'evt_r' AND destination = 'd3'");

        assertThat(redelivery.redeliver("evt_r")).isEqualTo(2);

        assertThat(rows("evt_r")).containsExactly(
                "d0 PENDING 0 null due http_500",
                "d1 PENDING 0 null due http_500",
                "d2 PENDING 15 null - http_500",
                "d3 DEAD 15 other-x - http_500");
        assertThat(browser.find("evt_r").orElseThrow().get("envelope").get("id").asText()).isEqualTo("evt_r");
        assertThat(redelivery.redeliver("evt_unknown")).isEqualTo(-1);
    }

    @Test
    void bulkRedeliveryTakesOneStateOfEventsSinceATimeWithinTheCap() throws Exception {
        event("evt_old", 100, "DEAD");
        for (int i = 0; i < 7; i++) {
            event("evt_new" + i, 1000 + i, "DEAD", "DELIVERED");
        }
        db.execute("UPDATE event_delivery SET lease_owner = 'other-x', lease_until = " + FAR_FUTURE
                + " WHERE event_id = 'evt_new6' AND destination = 'd0'");

        assertThat(redelivery.redeliverSince("DEAD", 1000)).isEqualTo(6);

        assertThat(rows("evt_old")).containsExactly("d0 DEAD 15 null - http_500");
        assertThat(rows("evt_new0")).containsExactly("d0 PENDING 0 null due http_500", "d1 DELIVERED 15 null - http_500");
        assertThat(rows("evt_new6")).containsExactly("d0 DEAD 15 other-x - http_500", "d1 DELIVERED 15 null - http_500");

        redelivery.setMaxPerCall(3);
        assertThat(redelivery.redeliverSince("DELIVERED", 0)).isEqualTo(3);
        assertThat(redelivery.redeliverSince("DELIVERED", 0)).isEqualTo(3);
        assertThat(redelivery.redeliverSince("DELIVERED", 0)).isEqualTo(1);
        assertThat(redelivery.redeliverSince("DELIVERED", 0)).isZero();
    }

    @Test
    void bulkRedeliveryWorksInBatchesAcrossManyRows() throws Exception {
        int events = EventRedelivery.BATCH + 20;
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement event = c.prepareStatement("INSERT INTO event_outbox (event_id, event_type, "
                    + "envelope, created_at) VALUES (?, 'generation.failed', '{}', ?)");
                    PreparedStatement delivery = c.prepareStatement("INSERT INTO event_delivery (event_id, "
                            + "destination, kind, state, attempts, updated_at) VALUES (?, 'd0', 'ENDPOINT', 'DEAD', 15, 1)")) {
                for (int i = 0; i < events; i++) {
                    event.setString(1, "evt_b" + i);
                    event.setLong(2, 10 + i);
                    event.executeUpdate();
                    delivery.setString(1, "evt_b" + i);
                    delivery.executeUpdate();
                }
            }
            c.commit();
        }

        assertThat(redelivery.redeliverSince("DEAD", 0)).isEqualTo(events);
        assertThat(ids(EventState.DEAD, 500)).isEmpty();
        assertThat(ids(EventState.PENDING, 500)).hasSize(500).startsWith("evt_b" + (events - 1));
    }
}
