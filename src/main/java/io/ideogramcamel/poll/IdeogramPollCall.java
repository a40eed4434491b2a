package io.ideogramcamel.poll;

import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.IdeogramApiVersion;
import io.ideogramcamel.IdeogramResponses;
import io.ideogramcamel.store.StoreUnavailableException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.OnCamelContextStarting;
import io.ideogramcamel.logging.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of a SUBMITTED generation ({@code GET /v1/generations/{id}}, or {@code /v2/...} with
 * ideogram.api-version=v2): where it goes, and what the answer means. A completed result takes the webhook's own accept path with source {@code poll},
 * so a generation found both ways is accepted, and archived, once.
 *
 * <p>A 429 pauses this instance's polling until its Retry-After has passed: Ideogram's limit
 * (1,000 requests per 10 s) is per organisation, so the rest of the tick would only be refused too.
 */
public class IdeogramPollCall implements OnCamelContextStarting {

    private static final Logger LOG = LoggerFactory.getLogger(IdeogramPollCall.class);

    private volatile RateLimitedLog keyRefused = new RateLimitedLog(LOG, 60);

    /** While Ideogram refuses the API key, its ERROR line at most once per this many seconds. */
    public void setRepeatIntervalSeconds(long repeatIntervalSeconds) {
        this.keyRefused = new RateLimitedLog(LOG, repeatIntervalSeconds);
    }
    /* failure_reason is Ideogram's text; only a plain token of it is kept, anything else is generalised. */
    private static final Pattern TOKEN = Pattern.compile("[a-z0-9_]{1,48}");
    /** The same cap the ledgers put on a Retry-After. */
    private static final long MAX_PAUSE_SECONDS = 3600;
    static final String TOO_MANY_IMAGES = "too_many_images";
    /** The outcome while a completed result waits for the route's accept step (then completed or duplicate). */
    public static final String ACCEPTING = "accepting";

    private PollLedger ledger;
    private String apiUrl = "https://api.ideogram.ai";
    /** Null: the API version's default. */
    private String pollPath;
    private String apiVersion = IdeogramApiVersion.V1.value();
    private long pauseSecondsWithoutRetryAfter = 10;
    private int maxImages = 16;
    private volatile long pausedUntil;

    public void setLedger(PollLedger ledger) {
        this.ledger = ledger;
    }

    public void setApiUrl(String apiUrl) {
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    }

    /** The path before the generation id, e.g. {@code /v1/generations/}; empty: the API version's default. */
    public void setPollPath(String pollPath) {
        this.pollPath = pollPath == null || pollPath.isBlank() ? null : normalise(pollPath.trim());
    }

    /** {@code v1} (the default) or {@code v2}: checked at start, where anything else stops it. */
    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    /** The path before the generation id: ideogram.poll.path when set, else the version's default. */
    public String pollPath() {
        return IdeogramApiVersion.pathOr(pollPath, IdeogramApiVersion.parse(apiVersion).defaultPollPath());
    }

    private static String normalise(String path) {
        String p = path.startsWith("/") ? path : "/" + path;
        return p.endsWith("/") ? p : p + "/";
    }

    /* Called once, on the registry's instance, as the context starts: a bad version stops the start. */
    @Override
    public void onContextStarting(CamelContext context) {
        start();
    }

    /**
     * @throws IllegalStateException for an ideogram.api-version other than v1 and v2
     */
    public void start() {
        try {
            IdeogramApiVersion.parse(apiVersion);
        } catch (IllegalStateException e) {
            LOG.error("Not starting: {}", e.getMessage());
            throw e;
        }
    }

    /** How long a 429 without Retry-After pauses polling. */
    public void setPauseSecondsWithoutRetryAfter(long pauseSecondsWithoutRetryAfter) {
        this.pauseSecondsWithoutRetryAfter = pauseSecondsWithoutRetryAfter;
    }

    /** The same cap as a webhook's (ideogram.webhook.max-images): more images fail the generation. */
    public void setMaxImages(int maxImages) {
        this.maxImages = maxImages;
    }

    /** The generation's poll URL; ids are URL-safe base64, so they need no escaping. */
    public String uri(String generationId) {
        return apiUrl + pollPath() + generationId;
    }

    /** True while a 429 asks this instance to wait. */
    public boolean isPaused() {
        return System.currentTimeMillis() < pausedUntil;
    }

    /**
     * Reads Ideogram's answer into the generation's next state; sets pollOutcome (and
     * generationAccepted). Does nothing when the call failed and its failure was recorded already.
     */
    public void recordResponse(Exchange exchange) {
        if (exchange.getProperty(GenerationExchange.POLL_OUTCOME) != null) {
            return;
        }
        String id = exchange.getProperty(GenerationExchange.GENERATION_ID, String.class);
        String lease = exchange.getProperty(GenerationExchange.POLL_LEASE, String.class);
        int status = IdeogramResponses.status(exchange);
        JsonNode body = IdeogramResponses.jsonBody(exchange);
        String outcome;
        if (status == 200 && body != null) {
            String state = IdeogramResponses.text(body, "status");
            if ("completed".equals(state)) {
                outcome = accept(exchange, id, body);
            } else if ("failed".equals(state)) {
                ledger.markFailed(id, lease, failureReason(body));
                outcome = "failed";
            } else {
                ledger.pollLater(id, lease, -1, "pending");
                outcome = "pending";
            }
        } else if (status == 429) {
            long retryAfter = IdeogramResponses.retryAfterSeconds(exchange);
            // capped: a huge or hostile Retry-After must not stop polling for days
            pausedUntil = System.currentTimeMillis()
                    + 1000L * Math.min(MAX_PAUSE_SECONDS, retryAfter >= 0 ? retryAfter : pauseSecondsWithoutRetryAfter);
            ledger.pollLater(id, lease, retryAfter, "rate_limited");
            outcome = "rate_limited";
        } else if (status == 404) {
            // Ideogram does not know it (any more): polling again cannot change that.
            ledger.markFailed(id, lease, PollLedger.UNKNOWN_AT_IDEOGRAM);
            outcome = "failed";
        } else {
            if (status == 401 || status == 403) {
                // every outstanding generation hits it at every tick: one line per interval
                keyRefused.error("poll-key-refused-" + status, "Ideogram refused the API key (HTTP " + status
                        + ") on a poll: outstanding generations stay SUBMITTED; set a valid ideogram.api-key (IDEOGRAM_API_KEY)");
            }
            // 401, 5xx, a malformed answer: may pass; the generation stays SUBMITTED until it expires.
            ledger.pollLater(id, lease, -1, "poll_http_" + status);
            outcome = "retry";
        }
        exchange.setProperty(GenerationExchange.POLL_OUTCOME, outcome);
    }

    /** The call itself failed (no connection, timeout): poll again later. */
    public void recordCallFailed(Exchange exchange) {
        String outcome = "retry";
        try {
            ledger.pollLater(exchange.getProperty(GenerationExchange.GENERATION_ID, String.class),
                    exchange.getProperty(GenerationExchange.POLL_LEASE, String.class), -1, "poll_unreachable");
        } catch (StoreUnavailableException e) {
            // runs inside the error handler, which must not fail itself: the lease lapses instead
            outcome = "unrecorded";
        }
        exchange.setProperty(GenerationExchange.POLL_OUTCOME, outcome);
    }

    private String accept(Exchange exchange, String id, JsonNode body) {
        JsonNode data = body.get("data");
        // completed without its image list is not a result: accepting it would archive nothing, and
        // the real webhook would then be a duplicate
        if (data == null || !data.isArray()) {
            ledger.pollLater(exchange.getProperty(GenerationExchange.GENERATION_ID, String.class),
                    exchange.getProperty(GenerationExchange.POLL_LEASE, String.class), -1, "invalid_poll_response");
            return "retry";
        }
        if (data.size() > maxImages) {
            // as a webhook listing that many is refused: never archived, and polling again cannot shrink it
            ledger.markFailed(exchange.getProperty(GenerationExchange.GENERATION_ID, String.class),
                    exchange.getProperty(GenerationExchange.POLL_LEASE, String.class), TOO_MANY_IMAGES);
            return "failed";
        }
        String created = IdeogramResponses.text(body, "created");
        if (created != null && created.length() > 256) {
            created = null;
        }
        // accepted by the route, through the one accept step every result takes (accept-generation)
        exchange.setProperty(GenerationExchange.SOURCE, "poll");
        exchange.setProperty(GenerationExchange.CREATED, created);
        exchange.setProperty(GenerationExchange.IMAGES, data.toString());
        exchange.setProperty(GenerationExchange.COST_MICROS, IdeogramResponses.usageCostMicros(body));
        return ACCEPTING;
    }

    static String failureReason(JsonNode body) {
        String reason = IdeogramResponses.text(body, "failure_reason");
        if (reason != null) {
            String token = reason.trim().toLowerCase(Locale.ROOT).replace(' ', '_');
            if (TOKEN.matcher(token).matches()) {
                return "ideogram_" + token;
            }
        }
        return "ideogram_failed";
    }
}
