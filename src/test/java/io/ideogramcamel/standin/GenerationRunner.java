package io.ideogramcamel.standin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays Ideogram's back end: after the completion delay a generation fails (#fail) or completes
 * with rendered images; either way its images leave the in-flight budget, and a completed one is
 * announced by webhook unless it named no webhook_url or asked for #drop-webhook. Failures are
 * never announced, as with Ideogram: only a poll finds them.
 */
final class GenerationRunner {

    static final String FAILURE_REASON = "The generation failed (asked for with #fail)";

    private final ScheduledExecutorService scheduler;
    private final InflightBudget budget;
    private final WebhookDelivery webhooks;
    private final ImageLinks links;
    private final Duration completionDelay;

    GenerationRunner(ScheduledExecutorService scheduler, InflightBudget budget, WebhookDelivery webhooks,
            ImageLinks links, Duration completionDelay) {
        this.scheduler = scheduler;
        this.budget = budget;
        this.webhooks = webhooks;
        this.links = links;
        this.completionDelay = completionDelay;
    }

    void start(Generation generation) {
        try {
            scheduler.schedule(() -> finish(generation), completionDelay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            budget.release(generation.request().numImages());
        }
    }

    private void finish(Generation generation) {
        try {
            if (generation.markers().fail()) {
                generation.fail(FAILURE_REASON);
                return;
            }
            generation.complete(render(generation));
        } catch (RuntimeException e) {
            generation.fail("internal_error: " + e.getClass().getSimpleName());
            return;
        } finally {
            budget.release(generation.request().numImages());
        }
        if (generation.webhookUrl() != null && !generation.markers().dropWebhook()) {
            webhooks.deliver(generation.id(), generation.webhookUrl(), GenerationJson.webhookBody(generation));
        }
    }

    private List<GeneratedImage> render(Generation generation) {
        GenerationRequest request = generation.request();
        int count = request.numImages();
        List<GeneratedImage> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seed = (request.seed() + i) % ((long) Integer.MAX_VALUE + 1);
            if (i == 0 && generation.markers().unsafeImage()) {
                images.add(new GeneratedImage(i, null, request.prompt(), request.resolution(), seed, false, null));
                continue;
            }
            byte[] png = PngRenderer.render(request.prompt(), request.resolution(), seed, i, count);
            images.add(new GeneratedImage(i, links.url(generation.id(), i), request.prompt(), request.resolution(),
                    seed, true, png));
        }
        return images;
    }
}
