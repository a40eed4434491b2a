package io.ideogramcamel.campaign;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.IsoUtc;
import io.ideogramcamel.api.ApiRejectedException;
import io.ideogramcamel.api.ListLimit;
import io.ideogramcamel.events.EventOutbox;

/**
 * GET /campaigns/{id}, GET /campaigns/{id}/manifest and GET /campaigns?limit=: what the store knows
 * about campaigns, as JSON (the manifest also as CSV). Read-only; answers come from committed rows.
 */
public class CampaignView {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CampaignLedger ledger;

    public void setLedger(CampaignLedger ledger) {
        this.ledger = ledger;
    }

    /** @throws ApiRejectedException 404 not_found for an id not held */
    public String describe(String campaignId) {
        Campaign campaign = find(campaignId);
        List<CampaignRequest> requests = ledger.requests(campaign.campaignId());
        ObjectNode body = summary(campaign);
        body.set("counts", CampaignCompletion.counts(requests));
        body.set("metadata", EventOutbox.metadata(campaign.metadata()));
        ArrayNode items = body.putArray("requests");
        for (CampaignRequest r : requests) {
            ObjectNode item = items.addObject();
            item.put("product", r.product());
            item.put("format", r.format());
            item.put("state", r.state());
            item.put("queued_id", r.queuedId());
            item.put("generation_id", r.generationId());
            if (r.error() != null) {
                item.put("error", r.error());
            }
        }
        return body.toString();
    }

    /** The newest campaigns first ({@code limit} as every list of the API: 1 to 500, default 50). */
    public String list(String limit) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode items = body.putArray("campaigns");
        ledger.list(ListLimit.parse(limit)).forEach(c -> items.add(summary(c)));
        return body.toString();
    }

    /** {"campaign_id", "name", "images": [one object per archived image, {@link ManifestRow#COLUMNS}]} */
    public String manifestJson(String campaignId) {
        Campaign campaign = find(campaignId);
        ObjectNode body = JSON.createObjectNode();
        body.put("campaign_id", campaign.campaignId());
        body.put("name", campaign.name());
        ArrayNode images = body.putArray("images");
        for (ManifestRow row : ledger.manifest(campaign.campaignId())) {
            ObjectNode image = images.addObject();
            List<Object> values = row.values();
            for (int i = 0; i < ManifestRow.COLUMNS.size(); i++) {
                image.putPOJO(ManifestRow.COLUMNS.get(i), values.get(i));
            }
        }
        return body.toString();
    }

    /** The same rows as CSV (RFC 4180, header first). */
    public String manifestCsv(String campaignId) {
        Campaign campaign = find(campaignId);
        StringBuilder csv = new StringBuilder();
        csv.append(String.join(",", ManifestRow.COLUMNS)).append("\r\n");
        for (ManifestRow row : ledger.manifest(campaign.campaignId())) {
            csv.append(CsvCells.line(row.values())).append("\r\n");
        }
        return csv.toString();
    }

    private Campaign find(String campaignId) {
        return ledger.find(campaignId).orElseThrow(() -> new ApiRejectedException(404, "not_found"));
    }

    private static ObjectNode summary(Campaign campaign) {
        ObjectNode node = JSON.createObjectNode();
        node.put("campaign_id", campaign.campaignId());
        node.put("name", campaign.name());
        node.put("requests", campaign.requestCount());
        node.put("created_at", IsoUtc.format(campaign.createdAt()));
        node.put("completed_at", campaign.completedAt() == null ? null : IsoUtc.format(campaign.completedAt()));
        return node;
    }
}
