package io.ideogramcamel.submit;

/**
 * One row of the {@code submission} table. Times are epoch milliseconds.
 *
 * @param queuedId       the id the caller holds until Ideogram has given one
 * @param idempotencyKey the caller's Idempotency-Key header, or null
 * @param request        the validated generate request as compact JSON, the body sent to Ideogram
 * @param imageCount     images asked for: the places it takes in the in-flight budget
 * @param state          where the request is
 * @param generationId   Ideogram's id once SENT (null before)
 * @param error          a fixed token saying why it is FAILED or UNKNOWN, or why it waits again
 * @param answerStatus   the HTTP status of the first answer given for it, or null
 * @param answerBody     the body of that answer, or null
 * @param createdAt      when the request arrived (the queue itself is served by an arrival number)
 * @param updatedAt      the last change to the row
 * @param callbackUrl    where the caller wants to hear how its generation ended, or null
 * @param metadata       the caller's JSON object of strings (compact text), or null
 */
public record Submission(
        String queuedId,
        String idempotencyKey,
        String request,
        int imageCount,
        SubmissionState state,
        String generationId,
        String error,
        Integer answerStatus,
        String answerBody,
        long createdAt,
        long updatedAt,
        String callbackUrl,
        String metadata) {
}
