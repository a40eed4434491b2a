package io.ideogramcamel.campaign;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import io.ideogramcamel.GenerationKey;
import io.ideogramcamel.api.GenerationStatusView;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.submit.SubmissionState;

/**
 * One request of a campaign as it stands now, read from its submission and, once sent, its
 * generation: what GET /campaigns/{id} lists and what campaign.completed counts.
 *
 * @param state        as on the wire for GET /generations/{id}: queued, submitted, received, archived,
 *                     failed, unknown; {@code forgotten} once store retention removed its rows
 * @param generationId Ideogram's id (without provider prefix) once sent, else null
 * @param error        the fixed token of a failed or unknown request, else null
 */
record CampaignRequest(String product, String format, String queuedId, String state, String generationId,
        String error) {

    /* A request with its submission and, once sent, its generation. */
    static final String JOINS = "FROM campaign_request r LEFT JOIN submission s ON s.queued_id = r.queued_id "
            + "LEFT JOIN generation g ON g.generation_id = s.generation_id ";

    /*
     * A request still open. Ended: archived or failed, unknown (sent, no answer, never resent: no
     * image will come of it), or forgotten (retention removed its rows, so it ended long ago).
     */
    static final String OPEN = "s.queued_id IS NOT NULL AND s.state NOT IN ('FAILED', 'UNKNOWN') "
            + "AND (g.state IS NULL OR g.state NOT IN ('ARCHIVED', 'FAILED'))";

    /* What is still open, counted under the campaign's lock. */
    static final String COUNT_OPEN = "SELECT COUNT(*) " + JOINS + "WHERE r.campaign_id = ? AND " + OPEN;

    /* Every request of a campaign, in the order they were queued (the statement for readAll). */
    static final String READ = "SELECT r.product, r.format, r.queued_id, s.state, s.generation_id, s.error, "
            + "g.state, g.error " + JOINS + "WHERE r.campaign_id = ? ORDER BY r.position";

    /** Every request of a campaign, in the order they were queued. */
    static List<CampaignRequest> readAll(PreparedStatement ps, String campaignId) throws SQLException {
        ps.setString(1, campaignId);
        List<CampaignRequest> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(of(rs));
            }
        }
        return rows;
    }

    private static CampaignRequest of(ResultSet rs) throws SQLException {
        String submissionState = rs.getString(4);
        String generationKey = rs.getString(5);
        String generationState = rs.getString(7);
        String state;
        String error;
        if (generationState != null) {
            GenerationState g = GenerationState.valueOf(generationState);
            state = GenerationStatusView.wireState(g);
            error = g == GenerationState.FAILED ? rs.getString(8) : null;
        } else if (submissionState != null) {
            SubmissionState s = SubmissionState.valueOf(submissionState);
            state = GenerationStatusView.wireState(s);
            error = s == SubmissionState.FAILED || s == SubmissionState.UNKNOWN ? rs.getString(6) : null;
        } else {
            state = "forgotten";
            error = null;
        }
        return new CampaignRequest(rs.getString(1), rs.getString(2), rs.getString(3), state,
                generationKey == null ? null : GenerationKey.idOf(generationKey), error);
    }
}
