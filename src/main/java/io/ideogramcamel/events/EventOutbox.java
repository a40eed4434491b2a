package io.ideogramcamel.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.IsoUtc;
import io.ideogramcamel.store.StoreSql;

/**
 * Writes an event into the transactional outbox: one event_outbox row (the envelope every
 * destination gets, byte for byte on every retry) and one PENDING event_delivery row per global
 * destination, plus one for the submission's own callback_url when it has one.
 *
 * <p>It runs on the caller's connection, inside the caller's transaction, and never commits: the
 * ledger that changes a generation's state appends the event before its commit, so the event exists
 * exactly when the change does (a crash between the two is impossible, a rollback takes both).
 * Its statements are bounded like the caller's: every pooled connection carries the store's
 * statement timeout (store.query-timeout-millis, set when the pool opens it).
 */
public class EventOutbox {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String SUBJECT_OF_GENERATION = "SELECT g.queued_id, s.metadata, s.callback_url "
            + "FROM generation g LEFT JOIN submission s ON s.queued_id = g.queued_id WHERE g.generation_id = ?";
    private static final String SUBJECT_OF_SUBMISSION = "SELECT queued_id, metadata, callback_url "
            + "FROM submission WHERE queued_id = ?";

    private static final String INSERT_EVENT = "INSERT INTO event_outbox (event_id, event_type, generation_id, "
            + "queued_id, envelope, created_at) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String INSERT_DELIVERY = "INSERT INTO event_delivery (event_id, destination, kind, state, "
            + "attempts, next_attempt_at, updated_at) VALUES (?, ?, ?, 'PENDING', 0, " + StoreSql.NOW + ", ?)";

    private EventDestinations destinations = new EventDestinations();
    private RequestEndings endings = RequestEndings.NONE;

    public void setDestinations(EventDestinations destinations) {
        this.destinations = destinations;
    }

    /** Who hears, in the same transaction, that a request submitted here ended (campaigns). */
    public void setEndings(RequestEndings endings) {
        this.endings = endings == null ? RequestEndings.NONE : endings;
    }

    /**
     * generation.completed, after the manifest is written.
     *
     * @param generationKey the generation's store key
     * @param manifestKey   the manifest's object key
     * @param manifest      the manifest as written: its source, created and images[] go into the event
     * @param at            when it was archived (epoch millis), also the event's timestamp
     * @return the event id
     */
    public String appendCompleted(Connection c, String generationKey, String manifestKey, JsonNode manifest, long at)
            throws SQLException {
        EventSubject subject = subjectOfGeneration(c, generationKey);
        ObjectNode data = GenerationEvents.completed(generationKey, subject, manifestKey, manifest, at);
        String eventId = append(c, GenerationEvents.COMPLETED, generationKey, subject, data, at);
        requestEnded(c, subject.queuedId(), at);
        return eventId;
    }

    /**
     * generation.failed, for a generation that ended FAILED.
     *
     * @param error the fixed error token the row records
     */
    public String appendFailed(Connection c, String generationKey, String error, long at) throws SQLException {
        EventSubject subject = subjectOfGeneration(c, generationKey);
        String eventId = append(c, GenerationEvents.FAILED, generationKey, subject,
                GenerationEvents.failed(generationKey, subject, error), at);
        requestEnded(c, subject.queuedId(), at);
        return eventId;
    }

    /** generation.failed, for a submission that ended FAILED before Ideogram gave it an id. */
    public String appendSubmissionFailed(Connection c, String queuedId, String error, long at) throws SQLException {
        EventSubject subject = read(c, SUBJECT_OF_SUBMISSION, queuedId);
        EventSubject known = subject.queuedId() == null ? new EventSubject(queuedId, subject.metadata(), null) : subject;
        String eventId = append(c, GenerationEvents.FAILED, null, known, GenerationEvents.failed(null, known, error), at);
        requestEnded(c, queuedId, at);
        return eventId;
    }

    /**
     * A submission ended without an event of its own (UNKNOWN: sent, no answer, never resent): only
     * the listeners hear of it, in the transaction that records it.
     */
    public void endedSilently(Connection c, String queuedId, long at) throws SQLException {
        requestEnded(c, queuedId, at);
    }

    /**
     * An event about a group of requests (campaign.completed), caused by the end of {@code queuedId}:
     * stored under that submission, so it goes to the destinations and to that submission's
     * callback_url (a campaign gives every request the campaign's own).
     *
     * @return the event id
     */
    public String appendAbout(Connection c, String type, String queuedId, ObjectNode data, long at)
            throws SQLException {
        EventSubject subject = read(c, SUBJECT_OF_SUBMISSION, queuedId);
        EventSubject known = new EventSubject(queuedId, subject.metadata(), subject.callbackUrl());
        return append(c, type, null, known, data, at);
    }

    private void requestEnded(Connection c, String queuedId, long at) throws SQLException {
        if (queuedId != null) {
            endings.ended(c, queuedId, at, this);
        }
    }

    private String append(Connection c, String type, String generationKey, EventSubject subject, ObjectNode data,
            long at) throws SQLException {
        String eventId = EventIds.next(at);
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("id", eventId);
        envelope.put("type", type);
        envelope.put("timestamp", IsoUtc.format(at));
        envelope.set("data", data);
        try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
            ps.setString(1, eventId);
            ps.setString(2, type);
            ps.setString(3, generationKey);
            ps.setString(4, subject.queuedId());
            ps.setString(5, compact(envelope));
            ps.setLong(6, at);
            ps.executeUpdate();
        }
        insertDeliveries(c, eventId, targets(subject), at);
        return eventId;
    }

    private List<EventDestinations.Destination> targets(EventSubject subject) {
        List<EventDestinations.Destination> all = new ArrayList<>(destinations.global());
        if (subject.callbackUrl() != null) {
            // the URL itself stays with the submission; the sender reads it from there
            all.add(new EventDestinations.Destination(EventDestinations.CALLBACK_URL, EventDestinations.Kind.CALLBACK,
                    subject.callbackUrl()));
        }
        return all;
    }

    private static void insertDeliveries(Connection c, String eventId, List<EventDestinations.Destination> targets,
            long at) throws SQLException {
        if (targets.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_DELIVERY)) {
            for (EventDestinations.Destination d : targets) {
                ps.setString(1, eventId);
                ps.setString(2, d.name());
                ps.setString(3, d.kind().name());
                ps.setLong(4, at);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static EventSubject subjectOfGeneration(Connection c, String generationKey) throws SQLException {
        return read(c, SUBJECT_OF_GENERATION, generationKey);
    }

    /* No row (or no submission): no queued id, metadata {}, no callback. */
    private static EventSubject read(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new EventSubject(null, JSON.createObjectNode(), null);
                }
                return new EventSubject(rs.getString(1), metadata(rs.getString(2)), rs.getString(3));
            }
        }
    }

    /**
     * A caller's metadata as stored (submission.metadata, campaign.metadata: compact JSON, stored only
     * after it was validated as an object of strings) as it goes into an event; {} when there is none.
     */
    public static ObjectNode metadata(String stored) {
        if (stored == null) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(stored);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalStateException("stored metadata is not a JSON object");
            }
            return object;
        } catch (IOException e) {
            throw new UncheckedIOException("stored metadata is not JSON", e);
        }
    }

    private static String compact(ObjectNode envelope) {
        try {
            return JSON.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            // a tree of strings and numbers always serialises
            throw new IllegalStateException(e);
        }
    }
}
