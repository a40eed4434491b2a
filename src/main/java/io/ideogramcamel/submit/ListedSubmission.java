package io.ideogramcamel.submit;

/** One line of GET /generations?state= for a request not (yet) a generation: never its request body. */
public record ListedSubmission(
        String queuedId,
        String generationId,
        SubmissionState state,
        String error,
        long updatedAt) {
}
