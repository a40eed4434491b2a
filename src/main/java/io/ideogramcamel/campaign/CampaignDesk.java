package io.ideogramcamel.campaign;

import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.api.ApiRejectedException;
import org.apache.camel.Exchange;

/**
 * The POST /campaigns side of a campaign: a repeated Idempotency-Key answered from the campaign first
 * recorded under it, a new campaign recorded, and the answer {"campaign_id", "requests"}. As on
 * POST /generations, one key with a different body is refused (422 idempotency_key_reused): answering
 * the first campaign would hide that the second was never queued.
 */
public class CampaignDesk {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CampaignLedger ledger;

    public void setLedger(CampaignLedger ledger) {
        this.ledger = ledger;
    }

    /** Sets {@link GenerationExchange#CAMPAIGN_REPEATED}; when true, the first campaign's answer is the body. */
    public void findRepeat(Exchange exchange) {
        Optional<Campaign> first = ledger.findByIdempotencyKey(key(exchange));
        first.ifPresent(c -> answer(exchange, c));
        exchange.setProperty(GenerationExchange.CAMPAIGN_REPEATED, first.isPresent());
    }

    /** Records the campaign and all its requests (or finds the one a concurrent repeat recorded first). */
    public void create(Exchange exchange) {
        answer(exchange, ledger.create(key(exchange), plan(exchange)));
    }

    private static void answer(Exchange exchange, Campaign campaign) {
        if (!campaign.requestSha256().equals(plan(exchange).requestSha256())) {
            throw new ApiRejectedException(422, "idempotency_key_reused");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("campaign_id", campaign.campaignId());
        body.put("requests", campaign.requestCount());
        exchange.getMessage().setBody(body.toString());
    }

    private static String key(Exchange exchange) {
        return exchange.getMessage().getHeader("Idempotency-Key", String.class);
    }

    private static CampaignPlan plan(Exchange exchange) {
        return exchange.getProperty(GenerationExchange.CAMPAIGN_PLAN, CampaignPlan.class);
    }
}
