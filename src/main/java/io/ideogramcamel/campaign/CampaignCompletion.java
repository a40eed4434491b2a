package io.ideogramcamel.campaign;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.IsoUtc;
import io.ideogramcamel.events.EventOutbox;
import io.ideogramcamel.events.RequestEndings;
import io.ideogramcamel.store.StoreAccess;

/**
 * Notices, in the transaction that ends a request, that it was the last open request of its
 * campaign, and writes {@value #COMPLETED} there, exactly once: the campaign row is locked first,
 * so two requests ending at once (two instances) are decided one after the other; the second to get
 * the lock counts with the first's end committed. Only the guarded UPDATE that sets completed_at
 * writes the event, so a later end (a retried generation, a late answer to an unknown send) finds
 * the campaign completed and writes nothing: a campaign completes once and stays completed.
 */
public class CampaignCompletion extends StoreAccess implements RequestEndings {

    /** The event's type. */
    public static final String COMPLETED = "campaign.completed";

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String CAMPAIGN_OF = "SELECT campaign_id FROM campaign_request WHERE queued_id = ?";
    private static final String LOCK = "SELECT name, metadata, request_count, completed_at FROM campaign "
            + "WHERE campaign_id = ? FOR UPDATE";
    private static final String COMPLETE = "UPDATE campaign SET completed_at = ? "
            + "WHERE campaign_id = ? AND completed_at IS NULL";

    @Override
    public void ended(Connection c, String queuedId, long at, EventOutbox outbox) throws SQLException {
        String campaignId = campaignOf(c, queuedId);
        if (campaignId != null) {
            completeIfEnded(c, campaignId, queuedId, at, outbox);
        }
    }

    /**
     * The decision itself, on the caller's connection and in its transaction: lock the campaign row,
     * count its open requests, and only when none is open and the guarded UPDATE sets completed_at,
     * append campaign.completed.
     *
     * @param queuedId the request the event is stored under (its callback_url is the campaign's)
     * @return whether this call completed the campaign
     */
    boolean completeIfEnded(Connection c, String campaignId, String queuedId, long at, EventOutbox outbox)
            throws SQLException {
        String name;
        String metadata;
        try (PreparedStatement ps = prepare(c, LOCK)) {
            ps.setString(1, campaignId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                rs.getLong(4);
                if (!rs.wasNull()) {
                    return false;
                }
                name = rs.getString(1);
                metadata = rs.getString(2);
            }
        }
        // after the lock: a statement of its own, so it sees every end committed before the lock was ours
        if (countOpen(c, campaignId) > 0 || !complete(c, campaignId, at)) {
            return false;
        }
        List<CampaignRequest> requests;
        try (PreparedStatement ps = prepare(c, CampaignRequest.READ)) {
            requests = CampaignRequest.readAll(ps, campaignId);
        }
        outbox.appendAbout(c, COMPLETED, queuedId, data(campaignId, name, metadata, requests, at), at);
        return true;
    }

    private String campaignOf(Connection c, String queuedId) throws SQLException {
        try (PreparedStatement ps = prepare(c, CAMPAIGN_OF)) {
            ps.setString(1, queuedId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private int countOpen(Connection c, String campaignId) throws SQLException {
        try (PreparedStatement ps = prepare(c, CampaignRequest.COUNT_OPEN)) {
            ps.setString(1, campaignId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private boolean complete(Connection c, String campaignId, long at) throws SQLException {
        try (PreparedStatement ps = prepare(c, COMPLETE)) {
            ps.setLong(1, at);
            ps.setString(2, campaignId);
            return ps.executeUpdate() > 0;
        }
    }

    /** The event's data: a public contract (README, "Campaigns"). */
    static ObjectNode data(String campaignId, String name, String metadata, List<CampaignRequest> requests, long at) {
        ObjectNode data = JSON.createObjectNode();
        data.put("campaign_id", campaignId);
        data.put("name", name);
        data.put("requests", requests.size());
        data.set("counts", counts(requests));
        ArrayNode failed = data.putArray("failed");
        for (CampaignRequest r : requests) {
            if (!"archived".equals(r.state())) {
                ObjectNode f = failed.addObject();
                f.put("product", r.product());
                f.put("format", r.format());
                f.put("queued_id", r.queuedId());
                f.put("generation_id", r.generationId());
                f.put("state", r.state());
                f.put("error", r.error());
            }
        }
        data.set("metadata", EventOutbox.metadata(metadata));
        data.put("completed_at", IsoUtc.format(at));
        return data;
    }

    /** How many requests are in each wire state, by state name. */
    static ObjectNode counts(List<CampaignRequest> requests) {
        Map<String, Integer> counts = new TreeMap<>();
        requests.forEach(r -> counts.merge(r.state(), 1, Integer::sum));
        ObjectNode node = JSON.createObjectNode();
        counts.forEach(node::put);
        return node;
    }
}
