package io.ideogramcamel.store;

/**
 * One row of the {@code generation} table. Times are epoch milliseconds; a null time means "not yet"
 * (or, for the lease, "not leased").
 *
 * @param generationId  Ideogram's generation id (the primary key)
 * @param state         where the generation is in its life
 * @param source        how the result arrived: {@code webhook} or {@code poll} (null before RECEIVED)
 * @param created       Ideogram's {@code created} value as sent, may be null
 * @param images        the delivery's {@code data[]} as compact JSON text, may be null before RECEIVED
 * @param error         why the generation FAILED, or the last transient error while retrying
 * @param attempts      failed attempts of the current step (poll or archive), for backoff
 * @param leaseOwner    the worker that claimed the row for its current step
 * @param leaseUntil    the claim lapses at this time, so another worker may take the row over
 * @param nextAttemptAt the timers pick the row up from this time on
 * @param submittedAt   when it was submitted to Ideogram from here (null if it arrived unsolicited)
 * @param receivedAt    when the result was accepted (state RECEIVED)
 * @param updatedAt     the last change to the row
 * @param queuedId      the submission it came from (POST /generations), or null
 * @param costMicros    Ideogram's usage_cost_usd_micros for it, or null while unknown
 */
public record GenerationRecord(
        String generationId,
        GenerationState state,
        String source,
        String created,
        String images,
        String error,
        int attempts,
        String leaseOwner,
        Long leaseUntil,
        Long nextAttemptAt,
        Long submittedAt,
        Long receivedAt,
        long updatedAt,
        String queuedId,
        Long costMicros) {

    /** A row whose cost is not known. */
    public GenerationRecord(String generationId, GenerationState state, String source, String created, String images,
            String error, int attempts, String leaseOwner, Long leaseUntil, Long nextAttemptAt, Long submittedAt,
            Long receivedAt, long updatedAt, String queuedId) {
        this(generationId, state, source, created, images, error, attempts, leaseOwner, leaseUntil, nextAttemptAt,
                submittedAt, receivedAt, updatedAt, queuedId, null);
    }
}
