package io.ideogramcamel.campaign;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import io.ideogramcamel.events.EventOutbox;
import io.ideogramcamel.store.StoreAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net of {@link CampaignCompletion}: completes, with the same lock, count and guarded
 * UPDATE, a campaign whose requests all ended by a change that tells no one. The sweep of lapsed
 * sends (SubmissionLedger.giveUpInterruptedSends) turns many rows UNKNOWN in one statement, and
 * store retention can remove a campaign's rows; without this such a campaign would never complete.
 * Its campaign.completed is then written by the sweep's own transaction, still exactly once.
 */
public class CampaignSweep extends StoreAccess {

    private static final Logger LOG = LoggerFactory.getLogger(CampaignSweep.class);

    /* Open campaigns with no open request; the event goes under the request queued last. */
    private static final String ENDED = "SELECT c.campaign_id, (SELECT r.queued_id FROM campaign_request r "
            + "WHERE r.campaign_id = c.campaign_id ORDER BY r.position DESC FETCH FIRST 1 ROWS ONLY) "
            + "FROM campaign c WHERE c.completed_at IS NULL AND NOT EXISTS (SELECT 1 " + CampaignRequest.JOINS
            + "WHERE r.campaign_id = c.campaign_id AND " + CampaignRequest.OPEN
            + ") ORDER BY c.created_at FETCH FIRST ? ROWS ONLY";

    private CampaignCompletion completion = new CampaignCompletion();
    private EventOutbox outbox = new EventOutbox();
    private int batchSize = 50;

    public void setCompletion(CampaignCompletion completion) {
        this.completion = completion;
    }

    public void setOutbox(EventOutbox outbox) {
        this.outbox = outbox;
    }

    public void setBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1");
        }
        this.batchSize = batchSize;
    }

    /**
     * Completes the ended campaigns found (at most the batch size), one transaction each.
     *
     * @return how many this call completed
     */
    public int completeEnded() {
        try (Connection c = connection()) {
            List<String[]> ended = new ArrayList<>();
            try (PreparedStatement ps = prepare(c, ENDED)) {
                ps.setInt(1, batchSize);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ended.add(new String[] { rs.getString(1), rs.getString(2) });
                    }
                }
            }
            int completed = 0;
            for (String[] campaign : ended) {
                if (completeOne(c, campaign[0], campaign[1])) {
                    completed++;
                }
            }
            if (completed > 0) {
                LOG.info("{} campaign(s) completed by the sweep: their last requests ended without telling", completed);
            }
            return completed;
        } catch (SQLException e) {
            throw unavailable("complete ended campaigns", e);
        }
    }

    /*
     * One campaign in its own transaction. A campaign that fails (its stored metadata unreadable, a
     * row the database refuses) is logged and left for the next run: oldest first, it would otherwise
     * stop every younger one behind it for good.
     */
    private boolean completeOne(Connection c, String campaignId, String queuedId) {
        try {
            long now = System.currentTimeMillis();
            return inTransaction(c, () -> completion.completeIfEnded(c, campaignId, queuedId, now, outbox));
        } catch (SQLException | RuntimeException e) {
            LOG.warn("campaign {} could not be completed by the sweep ({}); the others go on", campaignId,
                    e.getClass().getSimpleName());
            return false;
        }
    }
}
