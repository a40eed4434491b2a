package io.ideogramcamel.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operators' event endpoints through HTTP, behind the API token: the lists by state, one event
 * with its envelope, single and bulk replays (rows back to PENDING, same event), and the fixed
 * refusals (400 naming the parameter, 404, 401).
 */
class EventOperationsApiTest extends BundleTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "events-test-token-of-at-least-32-chars";
    private static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + TOKEN);
    private static final long FAR_FUTURE = 4_000_000_000_000L;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-events-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) {
        properties.set("api.token", TOKEN);
        // the rows here name destinations nobody configured: a dispatcher tick would end a replayed
        // delivery dead before the test reads it back as pending
        properties.set("events.dispatch.interval-millis", "3600000");
    }

    /* created_at in 2026 (1,780,000,000,000 ms is 2026-05-28), one second apart per event */
    private static final long T0 = 1_780_000_000_000L;

    private boolean seeded;

    /* Once per class, but after the bundle started (the store comes from its context). */
    @BeforeEach
    void events() throws Exception {
        if (seeded) {
            return;
        }
        seeded = true;
        event("evt_listDead", 1, "DEAD", "DELIVERED");
        event("evt_listPending", 2, "PENDING");
        event("evt_listDelivered", 3, "DELIVERED");
        event("evt_replayOne", 4, "DEAD", "DELIVERED", "DEAD");
        event("evt_bulkOld", 5, "DEAD");
        event("evt_bulkNew", 100, "DEAD", "DEAD");
        // someone is sending this one right now: never touched by a replay
        sql("UPDATE event_delivery SET lease_owner = 'other-x', lease_until = " + FAR_FUTURE
                + " WHERE event_id = 'evt_replayOne' AND destination = 'dest2'");
    }

    private void event(String id, int second, String... states) throws Exception {
        sql("INSERT INTO event_outbox (event_id, event_type, generation_id, envelope, created_at) VALUES ('" + id
                + "', 'generation.failed', 'g', '{\"id\":\"" + id + "\",\"type\":\"generation.failed\",\"data\":{}}', "
                + (T0 + second * 1000L) + ")");
        for (int i = 0; i < states.length; i++) {
            sql("INSERT INTO event_delivery (event_id, destination, kind, state, attempts, last_status, last_error, "
                    + "updated_at) VALUES ('" + id + "', 'dest" + i + "', 'CALLBACK', '" + states[i] + "', 15, 503, "
                    + "'http_503', 1)");
        }
    }

    private void sql(String sql) throws Exception {
        try (Connection c = store().connection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private List<String> deliveries(String eventId) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = store().connection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT destination, state, attempts, last_error FROM event_delivery "
                        + "WHERE event_id = '" + eventId + "' ORDER BY destination")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getInt(3) + " " + rs.getString(4));
            }
        }
        return rows;
    }

    private HttpResponse<String> get(String path) {
        return Http.get(baseUrl() + path, AUTH);
    }

    private HttpResponse<String> post(String path) {
        return Http.post(baseUrl() + path, AUTH, new byte[0]);
    }

    private List<String> listed(String query) throws Exception {
        HttpResponse<String> response = get("/events?" + query);
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        JSON.readTree(response.body()).get("events").forEach(e -> ids.add(e.get("id").asText()));
        return ids;
    }

    @Test
    void eventsAreListedByStateNewestFirst() throws Exception {
        // other tests replay some of these events: only what they cannot change is asserted
        assertThat(listed("state=pending")).contains("evt_listPending").doesNotContain("evt_listDead", "evt_listDelivered");
        assertThat(listed("state=delivered")).containsExactly("evt_listDelivered");
        assertThat(listed("state=dead&limit=500")).containsSubsequence("evt_bulkOld", "evt_replayOne", "evt_listDead")
                .doesNotContain("evt_listPending", "evt_listDelivered");
        assertThat(listed("state=DEAD&limit=1")).hasSize(1);

        JsonNode dead = JSON.readTree(get("/events?state=dead").body()).get("events");
        JsonNode listDead = null;
        for (JsonNode e : dead) {
            listDead = "evt_listDead".equals(e.get("id").asText()) ? e : listDead;
        }
        assertThat(listDead.toString()).isEqualTo("{\"id\":\"evt_listDead\",\"type\":\"generation.failed\","
                + "\"state\":\"dead\",\"created\":\"2026-05-28T20:26:41.000Z\",\"destinations\":["
                + "{\"destination\":\"dest0\",\"state\":\"dead\",\"attempts\":15,\"last_status\":503,\"last_error\":\"http_503\"},"
                + "{\"destination\":\"dest1\",\"state\":\"delivered\",\"attempts\":15,\"last_status\":503,\"last_error\":\"http_503\"}]}");
    }

    @Test
    void oneEventComesWithItsEnvelope() throws Exception {
        HttpResponse<String> response = get("/events/evt_listPending");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("Authorization")).isEmpty();
        JsonNode event = JSON.readTree(response.body());
        assertThat(event.get("state").asText()).isEqualTo("pending");
        assertThat(event.get("envelope").toString())
                .isEqualTo("{\"id\":\"evt_listPending\",\"type\":\"generation.failed\",\"data\":{}}");
    }

    @Test
    void badParametersAre400NamingTheParameter() {
        for (String query : new String[] { "", "state=lost", "state=dead&limit=0", "state=dead&limit=501",
                "state=dead&limit=ten" }) {
            HttpResponse<String> response = get("/events?" + query);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.body()).as(query).isEqualTo(query.contains("limit")
                    ? "{\"error\":\"invalid_limit\",\"field\":\"limit\"}"
                    : "{\"error\":\"invalid_state\",\"field\":\"state\"}");
        }
        for (String query : new String[] { "", "?since=yesterday", "?since=2026-13-01T00:00:00Z" }) {
            HttpResponse<String> response = post("/events/redeliver" + query);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.body()).isEqualTo("{\"error\":\"invalid_since\",\"field\":\"since\"}");
        }
        HttpResponse<String> pending = post("/events/redeliver?state=pending&since=2026-01-01T00:00:00Z");
        assertThat(pending.statusCode()).isEqualTo(400);
        assertThat(pending.body()).isEqualTo("{\"error\":\"invalid_state\",\"field\":\"state\"}");
    }

    @Test
    void unknownEventsAre404() {
        for (String id : new String[] { "evt_neverWritten", "not-an-event", "evt_" + "a".repeat(37), "evt_a%2Eb" }) {
            HttpResponse<String> response = get("/events/" + id);
            assertThat(response.statusCode()).as(id).isEqualTo(404);
            assertThat(response.body()).isEqualTo("{\"error\":\"not_found\"}");
            assertThat(post("/events/" + id + "/redeliver").statusCode()).as(id).isEqualTo(404);
        }
    }

    @Test
    void withoutTheTokenEveryEndpointIs401() {
        assertThat(Http.get(baseUrl() + "/events?state=dead").statusCode()).isEqualTo(401);
        assertThat(Http.get(baseUrl() + "/events/evt_listDead").statusCode()).isEqualTo(401);
        HttpResponse<String> replay = Http.post(baseUrl() + "/events/evt_listDead/redeliver", Map.of(), new byte[0]);
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(replay.body()).isEqualTo("{\"error\":\"unauthorized\"}");
        assertThat(Http.post(baseUrl() + "/events/redeliver?since=2026-01-01T00:00:00Z",
                Map.of("Authorization", "Bearer wrong"), new byte[0]).statusCode()).isEqualTo(401);
    }

    @Test
    void oneEventIsRedeliveredExceptADeliveryHeldByASender() throws Exception {
        HttpResponse<String> response = post("/events/evt_replayOne/redeliver");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"event_id\":\"evt_replayOne\",\"redelivered\":2}");
        assertThat(deliveries("evt_replayOne")).containsExactly("dest0 PENDING 0 http_503", "dest1 PENDING 0 http_503",
                "dest2 DEAD 15 http_503");
        JsonNode event = JSON.readTree(get("/events/evt_replayOne").body());
        assertThat(event.get("envelope").get("id").asText()).isEqualTo("evt_replayOne");
    }

    @Test
    void deadDeliveriesOfEventsSinceATimeAreRedeliveredInBulk() throws Exception {
        // one second before evt_bulkNew: only its two deliveries
        HttpResponse<String> response = post("/events/redeliver?state=dead&since=2026-05-28T20:28:19Z");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"redelivered\":2}");
        assertThat(deliveries("evt_bulkNew")).containsExactly("dest0 PENDING 0 http_503", "dest1 PENDING 0 http_503");
        assertThat(deliveries("evt_bulkOld")).containsExactly("dest0 DEAD 15 http_503");
        // an offset is understood as well; nothing dead is left since then
        assertThat(post("/events/redeliver?since=2026-05-28T22:28:19%2B02:00").body()).isEqualTo("{\"redelivered\":0}");
    }
}
