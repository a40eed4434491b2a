package io.ideogramcamel.events;

/**
 * One event delivery claimed by one worker: what the sending routes need, and the lease token every
 * later call of the {@link EventDeliveryLedger} must pass back.
 *
 * @param deliveryId  the event_delivery row
 * @param eventId     the event's id ({@code evt_...}): the same on every attempt, what receivers dedupe on
 * @param eventType   {@code generation.completed}, {@code generation.failed}...
 * @param destination the display-safe name stored with the row (mapped back to a target at send time)
 * @param kind        ENDPOINT (a Camel URI) or CALLBACK (a signed HTTP POST)
 * @param attempts    attempts made before this one
 * @param envelope    the JSON every destination receives, byte for byte as stored
 * @param leaseOwner  this claim's token, unique to it
 * @param callbackUrl the submission's own callback URL, for the {@code callback_url} destination only
 */
public record DeliveryClaim(
        long deliveryId,
        String eventId,
        String eventType,
        String destination,
        EventDestinations.Kind kind,
        int attempts,
        String envelope,
        String leaseOwner,
        String callbackUrl) {

    /** Whether this delivery goes to the generation's own callback URL (a caller-supplied host). */
    public boolean isOwnCallback() {
        return kind == EventDestinations.Kind.CALLBACK && EventDestinations.CALLBACK_URL.equals(destination);
    }

    /* The callback URL may carry a token in its query: never in a log line or an error. */
    @Override
    public String toString() {
        return "DeliveryClaim[" + deliveryId + " " + eventId + " " + destination + " attempts=" + attempts + "]";
    }
}
