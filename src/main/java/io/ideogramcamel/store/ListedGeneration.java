package io.ideogramcamel.store;

/** One line of GET /generations?state=: only the columns the answer shows, never the image list. */
public record ListedGeneration(
        String generationId,
        String queuedId,
        GenerationState state,
        String source,
        String error,
        long updatedAt) {
}
