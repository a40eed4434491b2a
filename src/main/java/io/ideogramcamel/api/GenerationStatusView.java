package io.ideogramcamel.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.store.ArchiveLedger;
import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.Submission;
import io.ideogramcamel.store.SubmissionLedger;
import io.ideogramcamel.store.SubmissionState;

/**
 * GET /generations/{id} and GET /generations?state=: what the store knows, as JSON. An id is
 * looked up as Ideogram's generation id first, then as a queued id, which is followed to its
 * generation once the submission was sent, so a caller can keep the id it got first.
 */
public class GenerationStatusView {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;

    private GenerationStore store;
    private ArchiveLedger archive;
    private SubmissionLedger submissions;

    public void setStore(GenerationStore store) {
        this.store = store;
    }

    public void setArchive(ArchiveLedger archive) {
        this.archive = archive;
    }

    public void setSubmissions(SubmissionLedger submissions) {
        this.submissions = submissions;
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
        return describe(submission).toString();
    }

    /**
     * @param state one of queued, submitted, received, archived, failed, unknown
     * @param limit 1 to 500, default 50
     * @throws ApiRejectedException 400 for another state or limit
     */
    public String list(String state, String limit) {
        String s = state == null ? "" : state.toLowerCase(Locale.ROOT);
        int max = parseLimit(limit);
        List<ObjectNode> rows = new ArrayList<>();
        switch (s) {
            case "queued" -> submissions.list(SubmissionState.QUEUED, max).forEach(x -> rows.add(describe(x)));
            case "unknown" -> submissions.list(SubmissionState.UNKNOWN, max).forEach(x -> rows.add(describe(x)));
            case "submitted", "received", "archived" -> store.listByState(GenerationState.valueOf(s.toUpperCase(Locale.ROOT)), max)
                    .forEach(g -> rows.add(summary(g)));
            case "failed" -> {
                // refused by Ideogram at submission (no generation id), or failed later
                store.listByState(GenerationState.FAILED, max).forEach(g -> rows.add(summary(g)));
                submissions.list(SubmissionState.FAILED, max).forEach(x -> rows.add(describe(x)));
                rows.sort(Comparator.comparingLong((ObjectNode n) -> n.get("updated_at").asLong()).reversed());
                while (rows.size() > max) {
                    rows.remove(rows.size() - 1);
                }
            }
            default -> throw new ApiRejectedException(400, "invalid_state", "state");
        }
        ObjectNode body = JSON.createObjectNode();
        ArrayNode items = body.putArray("generations");
        rows.forEach(items::add);
        return body.toString();
    }

    private ObjectNode describe(GenerationRecord g) {
        ObjectNode node = summary(g);
        ArrayNode images = node.putArray("images");
        archive.storedKeys(g.generationId()).forEach(images::add);
        return node;
    }

    private static ObjectNode summary(GenerationRecord g) {
        ObjectNode node = JSON.createObjectNode();
        node.put("generation_id", g.generationId());
        if (g.queuedId() != null) {
            node.put("queued_id", g.queuedId());
        }
        node.put("state", g.state().name().toLowerCase(Locale.ROOT));
        if (g.source() != null) {
            node.put("source", g.source());
        }
        // while RECEIVED or SUBMITTED the error is the last transient one, shown as such
        if (g.error() != null) {
            node.put(g.state() == GenerationState.FAILED ? "error" : "last_error", g.error());
        }
        node.put("updated_at", g.updatedAt());
        return node;
    }

    private static ObjectNode describe(Submission s) {
        ObjectNode node = JSON.createObjectNode();
        node.put("queued_id", s.queuedId());
        if (s.generationId() != null) {
            node.put("generation_id", s.generationId());
        }
        node.put("state", switch (s.state()) {
            case QUEUED, SENDING -> "queued";
            case SENT -> "submitted";
            case FAILED -> "failed";
            case UNKNOWN -> "unknown";
        });
        if (s.error() != null) {
            node.put(s.state() == SubmissionState.FAILED || s.state() == SubmissionState.UNKNOWN ? "error" : "last_error",
                    s.error());
        }
        node.put("updated_at", s.updatedAt());
        return node;
    }

    private static int parseLimit(String limit) {
        if (limit == null || limit.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(limit);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw new ApiRejectedException(400, "invalid_limit", "limit");
    }
}
