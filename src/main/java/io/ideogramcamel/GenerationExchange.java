package io.ideogramcamel;

/**
 * Names of the exchange properties the routes and beans hand each other, kept in one place so a
 * route file and a bean cannot drift apart.
 */
public final class GenerationExchange {

    /** The generation id taken from the verified signature header; the idempotency key. */
    public static final String GENERATION_ID = "generationId";
    /** Where the generation came from: webhook or poll. */
    public static final String SOURCE = "generationSource";
    /** Ideogram's "created" value from the delivery, as sent (may be null). */
    public static final String CREATED = "generationCreated";
    /** The delivery's data[] array as compact JSON text. */
    public static final String IMAGES = "generationImages";
    /**
     * Ideogram's {@code usage_cost_usd_micros} of the generation (a Long, 0 to {@link #MAX_COST_MICROS}),
     * from a completed poll answer or a webhook body; absent when unknown.
     */
    public static final String COST_MICROS = "generationCostMicros";
    /** The largest cost believed (USD 1,000,000 in micros); a larger or negative value is ignored. */
    public static final long MAX_COST_MICROS = 1_000_000_000_000L;

    /** POST /generations: the validated request as compact JSON, the body sent to Ideogram. */
    public static final String GENERATE_REQUEST = "generateRequest";
    /** POST /generations: how many images the request asks for (its places in the budget). */
    public static final String IMAGE_COUNT = "generateImageCount";
    /** POST /generations: the submission row the answer is about (a store.Submission). */
    public static final String SUBMISSION = "submission";
    /** POST /generations: true when the Idempotency-Key was seen before (the first answer is replayed). */
    public static final String REPEATED = "submissionRepeated";
    /** The right to send one submission now (a store.SendClaim), or null. */
    public static final String SEND_CLAIM = "sendClaim";
    /** The poller's lease token on the generation it polls. */
    public static final String POLL_LEASE = "pollLease";
    /** Set to true by the poll when it accepted a result, so the route hints the archiver. */
    public static final String ACCEPTED = "generationAccepted";

    private GenerationExchange() {
    }
}
