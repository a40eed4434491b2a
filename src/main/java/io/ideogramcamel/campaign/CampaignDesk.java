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
 * the first campaign would hide that the second was never queued. That decision is the route's
 * (campaigns.camel.yaml, on {@link GenerationExchange#CAMPAIGN_BODY_MATCHES}); each method here does one thing.
 */
public class CampaignDesk {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CampaignLedger ledger;

    public void setLedger(CampaignLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * Looks for a campaign under the Idempotency-Key: sets {@link GenerationExchange#CAMPAIGN_REPEATED}
     * and, when found, {@link GenerationExchange#CAMPAIGN} and {@link GenerationExchange#CAMPAIGN_BODY_MATCHES}.
     */
    public void findRepeat(Exchange exchange) {
        Optional<Campaign> first = ledger.findByIdempotencyKey(key(exchange));
        first.ifPresent(c -> found(exchange, c));
        exchange.setProperty(GenerationExchange.CAMPAIGN_REPEATED, first.isPresent());
    }

    /** Records the campaign and all its requests (or finds the one a concurrent repeat recorded first). */
    public void create(Exchange exchange) {
        found(exchange, ledger.create(key(exchange), plan(exchange)));
    }

    /** The refusal of a key reused with another body (the route decides when). */
    public void refuseReusedKey() {
        throw new ApiRejectedException(422, "idempotency_key_reused");
    }

    /** The answer about the campaign found or recorded: {"campaign_id", "requests"}. */
    public void answer(Exchange exchange) {
        Campaign campaign = exchange.getProperty(GenerationExchange.CAMPAIGN, Campaign.class);
        ObjectNode body = JSON.createObjectNode();
        body.put("campaign_id", campaign.campaignId());
        body.put("requests", campaign.requestCount());
        exchange.getMessage().setBody(body.toString());
    }

    /* Sets the campaign and whether it is this body's (the same fingerprint). */
    private static void found(Exchange exchange, Campaign campaign) {
        exchange.setProperty(GenerationExchange.CAMPAIGN, campaign);
        exchange.setProperty(GenerationExchange.CAMPAIGN_BODY_MATCHES,
                campaign.requestSha256().equals(plan(exchange).requestSha256()));
    }

    private static String key(Exchange exchange) {
        return exchange.getMessage().getHeader("Idempotency-Key", String.class);
    }

    private static CampaignPlan plan(Exchange exchange) {
        return exchange.getProperty(GenerationExchange.CAMPAIGN_PLAN, CampaignPlan.class);
    }
}
