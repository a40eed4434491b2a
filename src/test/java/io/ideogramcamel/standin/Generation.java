package io.ideogramcamel.standin;

import java.time.Instant;
import java.util.List;

/** One generation's lifecycle: pending, then completed with its images or failed with a reason. */
final class Generation {

    enum Status { PENDING, COMPLETED, FAILED }

    private final String id;
    private final String created;
    private final GenerationRequest request;
    private final PromptMarkers markers;
    private final String webhookUrl;
    private Status status = Status.PENDING;
    private List<GeneratedImage> images = List.of();
    private String failureReason;

    Generation(String id, GenerationRequest request, String webhookUrl) {
        this.id = id;
        this.created = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        this.request = request;
        this.markers = PromptMarkers.in(request.prompt());
        this.webhookUrl = webhookUrl;
    }

    String id() {
        return id;
    }

    String created() {
        return created;
    }

    GenerationRequest request() {
        return request;
    }

    PromptMarkers markers() {
        return markers;
    }

    /** Null when the submission named none: the generation is then only pollable. */
    String webhookUrl() {
        return webhookUrl;
    }

    synchronized Status status() {
        return status;
    }

    synchronized List<GeneratedImage> images() {
        return images;
    }

    synchronized String failureReason() {
        return failureReason;
    }

    synchronized void complete(List<GeneratedImage> finished) {
        images = List.copyOf(finished);
        status = Status.COMPLETED;
    }

    synchronized void fail(String reason) {
        failureReason = reason;
        status = Status.FAILED;
    }
}
