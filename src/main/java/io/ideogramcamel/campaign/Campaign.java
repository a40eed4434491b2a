package io.ideogramcamel.campaign;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One row of the {@code campaign} table. Times are epoch milliseconds.
 *
 * @param metadata    the caller's own metadata (compact JSON), or null
 * @param completedAt when its last request ended (campaign.completed was written), or null
 */
public record Campaign(String campaignId, String name, String metadata, String callbackUrl, String requestSha256,
        int requestCount, long createdAt, Long completedAt) {

    /* A row read with CampaignLedger's column list, in that order. */
    static Campaign of(ResultSet rs) throws SQLException {
        long completed = rs.getLong(8);
        Long completedAt = rs.wasNull() ? null : completed;
        return new Campaign(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getInt(6), rs.getLong(7), completedAt);
    }
}
