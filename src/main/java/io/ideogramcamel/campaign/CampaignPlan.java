package io.ideogramcamel.campaign;

import java.util.List;

import io.ideogramcamel.submit.GenerateRequestValidator;

/**
 * A validated POST /campaigns body: the campaign's own fields and its requests, one per product x
 * format in that order (products outer), each already checked as POST /generations checks a request.
 *
 * @param campaignId    the id the campaign gets if it is new (it is in every request's metadata)
 * @param name          the campaign's name
 * @param metadata      the caller's own metadata (compact JSON object of strings), or null
 * @param callbackUrl   the caller's validated callback_url, or null
 * @param requestSha256 hex sha256 of the validated, expanded campaign (name, metadata, callback_url and
 *                      each request, keys sorted; not the new campaign id): tells a repeated
 *                      Idempotency-Key's body apart, whatever order its keys came in
 * @param requests      what is queued, in order
 */
public record CampaignPlan(String campaignId, String name, String metadata, String callbackUrl, String requestSha256,
        List<Planned> requests) {

    /** One request of the campaign: where it came from and what is stored with its submission. */
    public record Planned(String product, String format, GenerateRequestValidator.Checked checked) {
    }

    public CampaignPlan {
        requests = List.copyOf(requests);
    }

    /** How many requests (the places the campaign takes in the queue). */
    public int size() {
        return requests.size();
    }
}
