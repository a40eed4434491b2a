package io.ideogramcamel.api;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.events.EventBrowser;
import io.ideogramcamel.events.EventRedelivery;
import io.ideogramcamel.events.EventState;

/**
 * The operators' event endpoints as the caller sees them: the query parameters checked (a bad one
 * is refused naming it, nothing echoed), the answer's JSON. The reads and writes are
 * {@link EventBrowser}'s and {@link EventRedelivery}'s.
 */
public class EventOperationsView {

    private static final ObjectMapper JSON = new ObjectMapper();
    /* The outbox's ids: evt_ and up to 36 letters or digits; anything else cannot be an event. */
    private static final Pattern EVENT_ID = Pattern.compile("evt_[0-9A-Za-z]{1,36}");

    private EventBrowser browser;
    private EventRedelivery redelivery;

    public void setBrowser(EventBrowser browser) {
        this.browser = browser;
    }

    public void setRedelivery(EventRedelivery redelivery) {
        this.redelivery = redelivery;
    }

    /** GET /events?state=&limit=: {"events": [...]}, newest first. */
    public String list(String state, String limit) {
        EventState s = EventState.fromWire(state);
        if (s == null) {
            throw new ApiRejectedException(400, "invalid_state", "state");
        }
        List<ObjectNode> events = browser.page(s, ListLimit.parse(limit));
        ObjectNode body = JSON.createObjectNode();
        ArrayNode items = body.putArray("events");
        events.forEach(items::add);
        return body.toString();
    }

    /** GET /events/{id}: the event, its deliveries and its envelope; 404 for an unknown id. */
    public String describe(String id) {
        return browser.find(requireEventId(id)).orElseThrow(EventOperationsView::notFound).toString();
    }

    /** POST /events/{id}/redeliver: {"event_id", "redelivered": n}; 404 for an unknown id. */
    public String redeliver(String id) {
        int moved = redelivery.redeliver(requireEventId(id));
        if (moved < 0) {
            throw notFound();
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("event_id", id);
        body.put("redelivered", moved);
        return body.toString();
    }

    /** POST /events/redeliver?state=dead&since=: {"redelivered": n}. */
    public String redeliverSince(String state, String since) {
        String s = state == null || state.isEmpty() ? "dead" : state.toLowerCase(Locale.ROOT);
        if (!s.equals("dead") && !s.equals("delivered")) {
            throw new ApiRejectedException(400, "invalid_state", "state");
        }
        long sinceMillis = parseSince(since);
        ObjectNode body = JSON.createObjectNode();
        body.put("redelivered", redelivery.redeliverSince(s.toUpperCase(Locale.ROOT), sinceMillis));
        return body.toString();
    }

    private static String requireEventId(String id) {
        if (id == null || !EVENT_ID.matcher(id).matches()) {
            throw notFound();
        }
        return id;
    }

    private static ApiRejectedException notFound() {
        return new ApiRejectedException(404, "not_found");
    }

    /** ISO-8601 with Z or an offset: 2026-11-30T10:00:00Z, 2026-11-30T11:00:00+01:00. */
    static long parseSince(String since) {
        if (since == null || since.isEmpty() || since.length() > 64) {
            throw new ApiRejectedException(400, "invalid_since", "since");
        }
        try {
            return OffsetDateTime.parse(since).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(since).toEpochMilli();
            } catch (DateTimeParseException again) {
                throw new ApiRejectedException(400, "invalid_since", "since");
            }
        }
    }
}
