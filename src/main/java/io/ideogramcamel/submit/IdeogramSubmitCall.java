package io.ideogramcamel.submit;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.Audit;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.IdeogramApiVersion;
import io.ideogramcamel.IdeogramResponses;
import io.ideogramcamel.UrlSafeBase64;
import io.ideogramcamel.store.StoreUnavailableException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.OnCamelContextStarting;
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
public class IdeogramSubmitCall implements OnCamelContextStarting {

    private static final Logger LOG = LoggerFactory.getLogger(IdeogramSubmitCall.class);

    /** The error of a send whose answer never came (timeout, reset): it may be running. */
    public static final String OUTCOME_UNKNOWN = "submit_outcome_unknown";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORD_SENT_ATTEMPTS = 3;
    private static final long RECORD_SENT_RETRY_MILLIS = 500;

    private SubmissionLedger ledger;
    private String apiUrl = "https://api.ideogram.ai";
    /** Null: the API version's default. */
    private String submitPath;
    private String apiVersion = IdeogramApiVersion.V1.value();
    private String webhookPublicUrl;

    public void setLedger(SubmissionLedger ledger) {
        this.ledger = ledger;
    }

    public void setApiUrl(String apiUrl) {
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    }

    /** The generate endpoint's path; empty: the default of {@link #setApiVersion(String) the API version}. */
    public void setSubmitPath(String submitPath) {
        if (submitPath == null || submitPath.isBlank()) {
            this.submitPath = null;
            return;
        }
        String p = submitPath.trim();
        this.submitPath = p.startsWith("/") ? p : "/" + p;
    }

    /** {@code v1} (the default) or {@code v2}: checked at start, where anything else stops it. */
    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    /**
     * @throws IllegalStateException for a version other than v1 and v2
     */
    public IdeogramApiVersion apiVersion() {
        return IdeogramApiVersion.parse(apiVersion);
    }

    /** The path submissions are POSTed to: ideogram.submit.path when set, else the version's default. */
    public String submitPath() {
        return IdeogramApiVersion.pathOr(submitPath, apiVersion().defaultSubmitPath());
    }

    /** The webhook_url sent with each submission; empty: none (the generation is only polled). */
    public void setWebhookPublicUrl(String webhookPublicUrl) {
        this.webhookPublicUrl = webhookPublicUrl == null || webhookPublicUrl.isBlank() ? null : webhookPublicUrl.trim();
    }

    /*
     * Camel calls this on the one instance its registry holds, as the context starts and before any
     * route does: the YAML DSL's pre-parse builds every bean twice, so an init method ran twice (two
     * pools, two refresh threads, every start-up line printed twice).
     */
    @Override
    public void onContextStarting(CamelContext context) {
        start();
    }

    /** Says at start what Ideogram will make of the webhook URL; the bundle sends it all the same. */
    public void start() {
        IdeogramApiVersion version;
        try {
            version = apiVersion();
        } catch (IllegalStateException e) {
            // one ERROR line an operator can read above Camel's stack trace
            LOG.error("Not starting: {}", e.getMessage());
            throw e;
        }
        LOG.info("Ideogram API {}: submissions go to {}", version.value(), submitPath());
        if (webhookPublicUrl == null) {
            LOG.info("ideogram.webhook.public-url is not set: submitted generations are found by polling only");
        } else if (!webhookPublicUrl.regionMatches(true, 0, "https://", 0, 8)) {
            LOG.warn("ideogram.webhook.public-url is not https: Ideogram refuses such webhook URLs (fine for a "
                    + "local stand-in); submitted generations will then be found by polling");
        }
    }

    /** The endpoint with the webhook_url query parameter, for CamelHttpUri. */
    public String uri() {
        String uri = apiUrl + submitPath();
        if (webhookPublicUrl != null) {
            uri += (uri.contains("?") ? "&" : "?") + "webhook_url="
                    + URLEncoder.encode(webhookPublicUrl, StandardCharsets.UTF_8);
        }
        return URI.create(uri).toString();
    }

    /**
     * The body sent for the claimed submission: the stored request as it is, except that v2 without a
     * webhook_url also says {@code "async": true} (v2 runs a generation asynchronously only when
     * asked to, by that flag or by a webhook_url; v1's endpoint is async by itself).
     */
    public String requestBody(Exchange exchange) {
        return bodyFor(claim(exchange).request());
    }

    /** As {@link #requestBody(Exchange)}, for the stored request text (another name: Camel's bean binding picks by name). */
    public String bodyFor(String request) {
        if (apiVersion() != IdeogramApiVersion.V2 || webhookPublicUrl != null || request == null) {
            return request;
        }
        try {
            JsonNode root = JSON.readTree(request);
            if (!(root instanceof ObjectNode object)) {
                return request;
            }
            object.put("async", true);
            return JSON.writeValueAsString(object);
        } catch (JsonProcessingException e) {
            // validated when it was stored; sent unchanged, Ideogram's answer will say what is wrong
            return request;
        }
    }

    /**
     * Reads Ideogram's answer into the submission's next state; sets the exchange property
     * submitOutcome. Does nothing when the call failed and its failure was recorded already. Never
     * throws: a store failure while recording leaves the outcome "unrecorded" (the send's lease then
     * lapses to unknown), so nothing escapes the sub-route with the Api-Key header still on it.
     */
    public void recordResponse(Exchange exchange) {
        if (exchange.getProperty("submitOutcome") != null) {
            return;
        }
        SendClaim claim = claim(exchange);
        int status = IdeogramResponses.status(exchange);
        JsonNode body = IdeogramResponses.jsonBody(exchange);
        record(exchange, claim, () -> {
            if (status >= 200 && status < 300) {
                String generationId = IdeogramResponses.text(body, "generation_id");
                if (generationId != null && generationId.length() <= 256 && UrlSafeBase64.isValid(generationId)) {
                    exchange.setProperty(GenerationExchange.GENERATION_ID, generationId);
                    exchange.setProperty(SUBMIT_DETAIL, "generation_id=" + generationId);
                    // logged (flushed, synchronously) before it is written: if the store fails or the process
                    // dies now, the id is still on record
                    Audit.LOG.info("Ideogram accepted submission {} as generation {}", claim.queuedId(), generationId);
                    recordSentWithRetries(claim, generationId);
                    return "sent";
                }
                // It ran, most likely, and we cannot name it: a person must look.
                ledger.recordUnknown(claim, detail(exchange, "invalid_submit_response"));
                return "unknown";
            }
            if (status == 429) {
                String reason = "inflight_limit".equals(IdeogramResponses.text(body, "reject_reason"))
                        ? "inflight_limit" : "rate_limited";
                ledger.requeue(claim, IdeogramResponses.retryAfterSeconds(exchange), detail(exchange, reason));
                return "requeued";
            }
            if (status >= 400 && status < 500) {
                if (status == 401 || status == 403) {
                    LOG.error("Ideogram refused the API key (HTTP {}): submission {} failed; set a valid "
                            + "ideogram.api-key (IDEOGRAM_API_KEY)", status, claim.queuedId());
                }
                ledger.recordFailed(claim, detail(exchange, failureReason(status, body)));
                return "failed";
            }
            ledger.recordUnknown(claim, detail(exchange, "ideogram_http_" + status));
            return "unknown";
        });
    }

    /** The connection never opened: the request did not leave, so it waits in the queue again. Never throws. */
    public void recordNotSent(Exchange exchange) {
        SendClaim claim = claim(exchange);
        LOG.warn("Ideogram not reachable; submission {} queued again", claim.queuedId());
        record(exchange, claim, () -> {
            ledger.requeue(claim, -1, detail(exchange, "ideogram_unreachable"));
            return "requeued";
        });
    }

    /** The request left and no answer came (or the call failed in a way not foreseen): UNKNOWN, never resent. Never throws. */
    public void recordOutcomeUnknown(Exchange exchange) {
        SendClaim claim = claim(exchange);
        Audit.LOG.error("No answer from Ideogram after submission {} was sent: state unknown, NOT resent (it may run "
                + "and be billed; its webhook or a check by hand will tell)", claim.queuedId());
        record(exchange, claim, () -> {
            ledger.recordUnknown(claim, detail(exchange, OUTCOME_UNKNOWN));
            return "unknown";
        });
    }

    private static void record(Exchange exchange, SendClaim claim, Supplier<String> recording) {
        String outcome;
        try {
            outcome = recording.get();
        } catch (StoreUnavailableException e) {
            Audit.LOG.error("Outcome of submission {} not recorded (store unavailable); its send lease lapses to unknown",
                    claim.queuedId());
            outcome = "unrecorded";
            detail(exchange, "store_unavailable");
        }
        exchange.setProperty("submitOutcome", outcome);
    }

    /*
     * The generation exists and is billed: its id is worth a few short retries, since without it the
     * submission lapses to unknown and is never polled (its webhook would still be archived).
     */
    private void recordSentWithRetries(SendClaim claim, String generationId) {
        for (int attempt = 1;; attempt++) {
            try {
                ledger.recordSent(claim, generationId);
                return;
            } catch (StoreUnavailableException e) {
                if (attempt >= RECORD_SENT_ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(RECORD_SENT_RETRY_MILLIS * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** The exchange property the audit line shows after the outcome: "generation_id=..." or "reason=...". */
    public static final String SUBMIT_DETAIL = "submitDetail";

    /* Puts "reason=token" on the exchange for the audit line; returns the token. */
    private static String detail(Exchange exchange, String reason) {
        exchange.setProperty(SUBMIT_DETAIL, "reason=" + reason);
        return reason;
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
