package io.ideogramcamel.submit;

import io.ideogramcamel.api.ApiRejectedException;
import org.apache.camel.Exchange;

/**
 * Bounds the queue of submissions waiting for room in the in-flight budget: when
 * {@code maxQueued} already wait, a new request is refused with 429 and a Retry-After before
 * anything is stored, so a flood of requests cannot grow the store without end. A repeated
 * Idempotency-Key of a request already recorded passes, and gets its first answer.
 *
 * <p>A soft cap: requests arriving at the same moment are counted before any of them is recorded,
 * so the queue can exceed the cap by at most the number of requests served at once.
 */
public class SubmissionQueueGate {

    private SubmissionLedger ledger;
    private int maxQueued = 1000;
    private int retryAfterSeconds = 30;

    public void setLedger(SubmissionLedger ledger) {
        this.ledger = ledger;
    }

    public void setMaxQueued(int maxQueued) {
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be at least 1");
        }
        this.maxQueued = maxQueued;
    }

    public void setRetryAfterSeconds(int retryAfterSeconds) {
        if (retryAfterSeconds < 1) {
            throw new IllegalArgumentException("retryAfterSeconds must be at least 1");
        }
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Lets the request through, or refuses it with 429 queue_full when the queue is at the cap. */
    public void admit(Exchange exchange) {
        if (ledger.countQueued(maxQueued) < maxQueued) {
            return;
        }
        String key = exchange.getMessage().getHeader("Idempotency-Key", String.class);
        if (key != null && ledger.findByIdempotencyKey(key).isPresent()) {
            return;
        }
        throw ApiRejectedException.retryLater(429, "queue_full", retryAfterSeconds);
    }

    /**
     * Lets a group of {@code requests} through (a campaign) only when the queue has room for all of
     * them, else 429 queue_full before anything is stored: half a campaign is no use to its caller.
     * A repeated key is the group's own business, decided before this is asked. Like {@link #admit},
     * a soft cap: the count is read before the campaign's insert, not with it, so campaigns (and
     * single requests) admitted at the same moment may together pass max-queued by up to their sizes
     * (each at most campaigns.max-requests).
     */
    public void admitAll(int requests) {
        if (requests <= maxQueued && ledger.countQueued(maxQueued) + requests <= maxQueued) {
            return;
        }
        throw ApiRejectedException.retryLater(429, "queue_full", retryAfterSeconds);
    }
}
