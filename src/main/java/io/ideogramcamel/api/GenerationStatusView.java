package io.ideogramcamel.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.GenerationKey;
import io.ideogramcamel.IsoUtc;
import io.ideogramcamel.archive.ArchiveLedger;
import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.ListPage;
import io.ideogramcamel.store.ListedGeneration;
import io.ideogramcamel.submit.ListedSubmission;
import io.ideogramcamel.webhook.ProviderLedger;
import io.ideogramcamel.webhook.ProviderProgress;
import io.ideogramcamel.submit.Submission;
import io.ideogramcamel.submit.SubmissionLedger;
import io.ideogramcamel.submit.SubmissionState;

/**
 * GET /generations/{id} and GET /generations?state=: what the store knows, as JSON. An id is
 * looked up as Ideogram's generation id first, then as a queued id, which is followed to its
 * generation once the submission was sent, so a caller can keep the id it got first. A generation
 * or request submitted here shows the {@code metadata} and {@code callback_url} its caller attached.
 */
public class GenerationStatusView {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GenerationStore store;
    private ArchiveLedger archive;
    private SubmissionLedger submissions;
    private ProviderLedger providers;

    public void setStore(GenerationStore store) {
        this.store = store;
    }

    public void setArchive(ArchiveLedger archive) {
        this.archive = archive;
    }

    public void setSubmissions(SubmissionLedger submissions) {
        this.submissions = submissions;
    }

    public void setProviders(ProviderLedger providers) {
        this.providers = providers;
    }

    /**
     * GET /generations/{provider}/{id}: a provider's generation by that provider's id (Ideogram's
     * as well). Before a result is recorded, the last progress the provider reported, if any.
     *
     * @throws ApiRejectedException 404 for an unknown provider name or id shape, or an id not held
     */
    public String describe(String provider, String id) {
        if (!GenerationKey.isValidProvider(provider) || !GenerationKey.isValidId(id)) {
            throw new ApiRejectedException(404, "not_found");
        }
        if (GenerationKey.IDEOGRAM.equals(provider)) {
            return describe(id);
        }
        String key = GenerationKey.of(provider, id);
        Optional<GenerationRecord> generation = store.find(key);
        if (generation.isPresent()) {
            return describe(generation.get()).toString();
        }
        ProviderProgress progress = providers.findProgress(key)
                .orElseThrow(() -> new ApiRejectedException(404, "not_found"));
        ObjectNode node = JSON.createObjectNode();
        node.put("provider", provider);
        node.put("generation_id", id);
        // the provider is at work: submitted, as on the wire for Ideogram; its own word beside it
        node.put("state", "submitted");
        node.put("provider_status", progress.status());
        if (progress.progress() != null) {
            node.put("progress", progress.progress());
        }
        node.put("updated_at", isoUtc(progress.updatedAt()));
        return node.toString();
    }

    /**
     * @throws ApiRejectedException 404 when neither a generation nor a submission has this id
     */
    public String describe(String id) {
        if (id == null || id.isEmpty() || id.length() > 256) {
            throw new ApiRejectedException(404, "not_found");
        }
        Optional<GenerationRecord> generation = store.find(id);
        if (generation.isPresent()) {
            return describe(generation.get()).toString();
        }
        Submission submission = submissions.find(id).orElseThrow(() -> new ApiRejectedException(404, "not_found"));
        if (submission.generationId() != null) {
            Optional<GenerationRecord> sent = store.find(submission.generationId());
            if (sent.isPresent()) {
                return describe(sent.get()).toString();
            }
        }
        ObjectNode node = describe(submission);
        putAttached(node, submission);
        return node.toString();
    }

    /**
     * A page of one state's generations (and requests), newest change first, with {@code next}, the
     * cursor of the following page, when the page is full.
     *
     * @param state one of queued, submitted, received, archived, failed, unknown
     * @param limit 1 to 500, default 50
     * @param after the {@code next} of the page before, or null for the first page
     * @throws ApiRejectedException 400 for another state, limit or cursor
     */
    public String list(String state, String limit, String after) {
        String s = state == null ? "" : state.toLowerCase(Locale.ROOT);
        int max = ListLimit.parse(limit);
        ListPage page = ListCursor.decode(after);
        List<Line> lines = new ArrayList<>();
        switch (s) {
            case "queued" -> addSubmissions(lines, SubmissionState.QUEUED, max, page);
            case "unknown" -> addSubmissions(lines, SubmissionState.UNKNOWN, max, page);
            case "submitted", "received", "archived" ->
                    addGenerations(lines, GenerationState.valueOf(s.toUpperCase(Locale.ROOT)), max, page);
            case "failed" -> {
                // refused by Ideogram at submission (no generation id), or failed later: one order for both
                addGenerations(lines, GenerationState.FAILED, max, page);
                addSubmissions(lines, SubmissionState.FAILED, max, page);
                lines.sort(Comparator.comparingLong(Line::updatedAt).thenComparing(Line::id).reversed());
            }
            default -> throw new ApiRejectedException(400, "invalid_state", "state");
        }
        List<Line> shown = lines.subList(0, Math.min(max, lines.size()));
        ObjectNode body = JSON.createObjectNode();
        ArrayNode items = body.putArray("generations");
        shown.forEach(line -> items.add(line.node()));
        if (shown.size() == max) {
            Line last = shown.get(shown.size() - 1);
            body.put("next", ListCursor.encode(new ListPage(last.updatedAt(), last.id())));
        }
        return body.toString();
    }

    private void addGenerations(List<Line> lines, GenerationState state, int max, ListPage page) {
        for (ListedGeneration g : store.listByState(state, max, page)) {
            lines.add(new Line(g.updatedAt(), g.generationId(), summary(g.generationId(), g.queuedId(), g.state(),
                    g.source(), g.error(), g.updatedAt())));
        }
    }

    private void addSubmissions(List<Line> lines, SubmissionState state, int max, ListPage page) {
        for (ListedSubmission x : submissions.list(state, max, page)) {
            lines.add(new Line(x.updatedAt(), x.queuedId(),
                    submissionNode(x.queuedId(), x.generationId(), x.state(), x.error(), x.updatedAt())));
        }
    }

    static String isoUtc(long epochMillis) {
        return IsoUtc.format(epochMillis);
    }

    /** One row of a list with the key it is ordered and paged by. */
    private record Line(long updatedAt, String id, ObjectNode node) {
    }

    private ObjectNode describe(GenerationRecord g) {
        ObjectNode node = summary(g);
        if (g.costMicros() != null) {
            // what Ideogram charged (millionths of a USD), when it said so; absent when unknown
            node.put("usage_cost_usd_micros", g.costMicros().longValue());
        }
        if (g.queuedId() != null) {
            submissions.find(g.queuedId()).ifPresent(s -> putAttached(node, s));
        }
        ArrayNode images = node.putArray("images");
        archive.storedKeys(g.generationId()).forEach(images::add);
        return node;
    }

    /* What the caller attached to its request, when it did: its own values, shown back as stored. */
    private static void putAttached(ObjectNode node, Submission s) {
        if (s.metadata() != null) {
            try {
                node.set("metadata", JSON.readTree(s.metadata()));
            } catch (IOException e) {
                throw new UncheckedIOException("submission.metadata is not JSON", e);
            }
        }
        if (s.callbackUrl() != null) {
            node.put("callback_url", s.callbackUrl());
        }
    }

    private static ObjectNode summary(GenerationRecord g) {
        return summary(g.generationId(), g.queuedId(), g.state(), g.source(), g.error(), g.updatedAt());
    }

    private static ObjectNode summary(String generationId, String queuedId, GenerationState state, String source,
            String error, long updatedAt) {
        ObjectNode node = JSON.createObjectNode();
        node.put("provider", GenerationKey.providerOf(generationId));
        node.put("generation_id", GenerationKey.idOf(generationId));
        if (queuedId != null) {
            node.put("queued_id", queuedId);
        }
        node.put("state", wireState(state));
        if (source != null) {
            node.put("source", source);
        }
        // while RECEIVED or SUBMITTED the error is the last transient one, shown as such
        if (error != null) {
            node.put(state == GenerationState.FAILED ? "error" : "last_error", error);
        }
        node.put("updated_at", isoUtc(updatedAt));
        return node;
    }

    /** A request's state as the API shows it before its generation exists (SENDING is still queued to a caller). */
    public static String wireState(SubmissionState state) {
        return switch (state) {
            case QUEUED, SENDING -> "queued";
            case SENT -> "submitted";
            case FAILED -> "failed";
            case UNKNOWN -> "unknown";
        };
    }

    /** A generation's state as the API shows it. */
    public static String wireState(GenerationState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    private static ObjectNode describe(Submission s) {
        return submissionNode(s.queuedId(), s.generationId(), s.state(), s.error(), s.updatedAt());
    }

    private static ObjectNode submissionNode(String queuedId, String generationId, SubmissionState state, String error,
            long updatedAt) {
        ObjectNode node = JSON.createObjectNode();
        node.put("queued_id", queuedId);
        if (generationId != null) {
            node.put("generation_id", generationId);
        }
        node.put("state", wireState(state));
        if (error != null) {
            node.put(state == SubmissionState.FAILED || state == SubmissionState.UNKNOWN ? "error" : "last_error", error);
        }
        node.put("updated_at", isoUtc(updatedAt));
        return node;
    }
}
