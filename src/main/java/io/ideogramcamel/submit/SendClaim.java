package io.ideogramcamel.submit;

/**
 * The right to send one submission to Ideogram now: it is SENDING, its places in the in-flight
 * budget are taken, and {@code leaseOwner} must be shown to record the outcome.
 *
 * @param attempts earlier sends that came back unsent (429, no connection), for the backoff
 */
public record SendClaim(String queuedId, String leaseOwner, String request, int imageCount, int attempts) {
}
