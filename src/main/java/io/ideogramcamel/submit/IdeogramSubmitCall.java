package io.ideogramcamel.submit;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.IdeogramResponses;
import io.ideogramcamel.UrlSafeBase64;
import io.ideogramcamel.store.SendClaim;
import io.ideogramcamel.store.SubmissionLedger;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call to Ideogram's async generate endpoint for a claimed submission: where it goes, and what
 * its answer means for the submission. The route makes the call (camel-http); this bean decides.
 *
 * <p>The rule behind every outcome: a request is sent again only when Ideogram's answer proves it
 * did not run (429, or the connection never opened). A timeout, a reset or a 5xx after the
 * request left may have started a billed generation, so it ends UNKNOWN and is never resent.
 */
public class IdeogramSubmitCall {

    private static final Logger LOG = LoggerFactory.getLogger(IdeogramSubmitCall.class);

    /** The error of a send whose answer never came (timeout, reset): it may be running. */
    public static final String OUTCOME_UNKNOWN = "submit_outcome_unknown";

    private SubmissionLedger ledger;
    private String apiUrl = "https://api.ideogram.ai";
    private String submitPath = "/v1/ideogram-v4/async/generate";
    private String webhookPublicUrl;

    public void setLedger(SubmissionLedger ledger) {
        this.ledger = ledger;
    }

    public void setApiUrl(String apiUrl) {
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    }

    public void setSubmitPath(String submitPath) {
        this.submitPath = submitPath.startsWith("/") ? submitPath : "/" + submitPath;
    }

    /** The webhook_url sent with each submission; empty: none (the generation is only polled). */
    public void setWebhookPublicUrl(String webhookPublicUrl) {
        this.webhookPublicUrl = webhookPublicUrl == null || webhookPublicUrl.isBlank() ? null : webhookPublicUrl.trim();
    }

    /** Says at start what Ideogram will make of the webhook URL; the bundle sends it all the same. */
    public void start() {
        if (webhookPublicUrl == null) {
            LOG.info("ideogram.webhook.public-url is not set: submitted generations are found by polling only");
        } else if (!webhookPublicUrl.regionMatches(true, 0, "https://", 0, 8)) {
            LOG.warn("ideogram.webhook.public-url is not https: Ideogram refuses such webhook URLs (fine for a "
                    + "local stand-in); submitted generations will then be found by polling");
        }
    }

    /** The endpoint with the webhook_url query parameter, for CamelHttpUri. */
    public String uri() {
        String uri = apiUrl + submitPath;
        if (webhookPublicUrl != null) {
            uri += (uri.contains("?") ? "&" : "?") + "webhook_url="
                    + URLEncoder.encode(webhookPublicUrl, StandardCharsets.UTF_8);
        }
        return URI.create(uri).toString();
    }

    /**
     * Reads Ideogram's answer into the submission's next state; sets the exchange property
     * submitOutcome. Does nothing when the call failed and its failure was recorded already.
     */
    public void recordResponse(Exchange exchange) {
        if (exchange.getProperty("submitOutcome") != null) {
            return;
        }
        SendClaim claim = claim(exchange);
        int status = IdeogramResponses.status(exchange);
        JsonNode body = IdeogramResponses.jsonBody(exchange);
        String outcome;
        if (status >= 200 && status < 300) {
            String generationId = IdeogramResponses.text(body, "generation_id");
            if (generationId != null && generationId.length() <= 256 && UrlSafeBase64.isValid(generationId)) {
                ledger.recordSent(claim, generationId);
                exchange.setProperty(GenerationExchange.GENERATION_ID, generationId);
                outcome = "sent";
            } else {
                // It ran, most likely, and we cannot name it: a person must look.
                ledger.recordUnknown(claim, "invalid_submit_response");
                outcome = "unknown";
            }
        } else if (status == 429) {
            String reason = "inflight_limit".equals(IdeogramResponses.text(body, "reject_reason"))
                    ? "inflight_limit" : "rate_limited";
            ledger.requeue(claim, IdeogramResponses.retryAfterSeconds(exchange), reason);
            outcome = "requeued";
        } else if (status >= 400 && status < 500) {
            ledger.recordFailed(claim, failureReason(status, body));
            outcome = "failed";
        } else {
            ledger.recordUnknown(claim, "ideogram_http_" + status);
            outcome = "unknown";
        }
        exchange.setProperty("submitOutcome", outcome);
    }

    /** The connection never opened: the request did not leave, so it waits in the queue again. */
    public void recordNotSent(Exchange exchange) {
        SendClaim claim = claim(exchange);
        LOG.warn("Ideogram not reachable; submission {} queued again", claim.queuedId());
        ledger.requeue(claim, -1, "ideogram_unreachable");
        exchange.setProperty("submitOutcome", "requeued");
    }

    /** The request left and no answer came: UNKNOWN, never resent. */
    public void recordOutcomeUnknown(Exchange exchange) {
        SendClaim claim = claim(exchange);
        LOG.error("No answer from Ideogram after submission {} was sent: state unknown, NOT resent (it may run "
                + "and be billed; its webhook or a check by hand will tell)", claim.queuedId());
        ledger.recordUnknown(claim, OUTCOME_UNKNOWN);
        exchange.setProperty("submitOutcome", "unknown");
    }

    static String failureReason(int status, JsonNode body) {
        return switch (status) {
            case 401, 403 -> "ideogram_unauthorized";
            case 402 -> "daily_limit".equals(IdeogramResponses.text(body, "reject_reason"))
                    ? "daily_limit" : "insufficient_funds";
            case 422 -> "prompt_rejected";
            case 400 -> "ideogram_bad_request";
            default -> "ideogram_http_" + status;
        };
    }

    private static SendClaim claim(Exchange exchange) {
        SendClaim claim = exchange.getProperty(GenerationExchange.SEND_CLAIM, SendClaim.class);
        if (claim == null) {
            throw new IllegalStateException("no submission is claimed on this exchange");
        }
        return claim;
    }
}
