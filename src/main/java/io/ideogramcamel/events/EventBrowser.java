package io.ideogramcamel.events;

import io.ideogramcamel.IsoUtc;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.store.StoreAccess;

/**
 * What operators read about events (GET /events, GET /events/{id}): each event with its state and
 * its deliveries. Two statements per page whatever its size: the page of events (the state is an
 * EXISTS over the deliveries, read through their (event_id, destination) key), then the deliveries
 * of exactly those events. Read-only.
 */
public class EventBrowser extends StoreAccess {

    private static final ObjectMapper JSON = new ObjectMapper();

    /* Newest first; the event id breaks ties so a page's order is stable. */
    private static final String PAGE = "SELECT o.event_id, o.event_type, o.created_at FROM event_outbox o WHERE %s "
            + "ORDER BY o.created_at DESC, o.event_id DESC FETCH FIRST ? ROWS ONLY";

    private static final String ONE = "SELECT event_id, event_type, created_at, envelope FROM event_outbox "
            + "WHERE event_id = ?";

    private static final String DELIVERIES = "SELECT event_id, destination, state, attempts, last_status, last_error "
            + "FROM event_delivery WHERE event_id IN (%s) ORDER BY event_id, delivery_id";

    /**
     * The newest events in one state.
     *
     * @param limit 1 to 500 (the caller checks)
     */
    public List<ObjectNode> page(EventState state, int limit) {
        try (Connection c = connection()) {
            Map<String, ObjectNode> events = new LinkedHashMap<>();
            try (PreparedStatement ps = prepare(c, PAGE.formatted(state.condition()))) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.put(rs.getString(1), event(rs.getString(1), rs.getString(2), rs.getLong(3)));
                    }
                }
            }
            addDeliveries(c, events);
            return new ArrayList<>(events.values());
        } catch (SQLException e) {
            throw unavailable("list events", e);
        }
    }

    /** One event with its deliveries and its envelope as stored (a JSON object), or empty for an unknown id. */
    public Optional<ObjectNode> find(String eventId) {
        try (Connection c = connection()) {
            Map<String, ObjectNode> events = new LinkedHashMap<>();
            String envelope;
            try (PreparedStatement ps = prepare(c, ONE)) {
                ps.setString(1, eventId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    events.put(eventId, event(rs.getString(1), rs.getString(2), rs.getLong(3)));
                    envelope = rs.getString(4);
                }
            }
            addDeliveries(c, events);
            ObjectNode event = events.get(eventId);
            event.set("envelope", JSON.readTree(envelope));
            return Optional.of(event);
        } catch (SQLException e) {
            throw unavailable("read an event", e);
        } catch (IOException e) {
            // written by the outbox as JSON; a row that is not is a bug, not the caller's fault
            throw new IllegalStateException("event " + eventId + " has an envelope that is not JSON");
        }
    }

    private static ObjectNode event(String id, String type, long createdAt) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.put("type", type);
        node.put("state", EventState.DELIVERED.wire());
        node.put("created", IsoUtc.format(createdAt));
        node.putArray("destinations");
        return node;
    }

    /** Fills in every event's destinations and its state from them, in one statement. */
    private void addDeliveries(Connection c, Map<String, ObjectNode> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        String marks = String.join(", ", java.util.Collections.nCopies(events.size(), "?"));
        try (PreparedStatement ps = prepare(c, DELIVERIES.formatted(marks))) {
            int i = 1;
            for (String id : events.keySet()) {
                ps.setString(i++, id);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    addDelivery(events.get(rs.getString(1)), rs);
                }
            }
        }
    }

    private static void addDelivery(ObjectNode event, ResultSet rs) throws SQLException {
        String state = rs.getString(3);
        ObjectNode d = ((ArrayNode) event.get("destinations")).addObject();
        d.put("destination", rs.getString(2));
        d.put("state", state.toLowerCase(Locale.ROOT));
        d.put("attempts", rs.getInt(4));
        int status = rs.getInt(5);
        if (rs.wasNull()) {
            d.putNull("last_status");
        } else {
            d.put("last_status", status);
        }
        d.put("last_error", rs.getString(6));
        EventState now = EventState.fromWire(event.get("state").asText());
        event.put("state", EventState.of(now == EventState.DEAD || "DEAD".equals(state),
                now == EventState.PENDING || "PENDING".equals(state)).wire());
    }
}
