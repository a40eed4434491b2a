package io.ideogramcamel.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.GenerationKey;
import io.ideogramcamel.IsoUtc;

/**
 * The two event types about a generation and the shape of their {@code data}: what a receiver
 * reads, so the field names are a public contract (README, "Events").
 */
public final class GenerationEvents {

    /** The generation's images and manifest are in the user's storage. */
    public static final String COMPLETED = "generation.completed";
    /** The generation (or its submission) ended failed. */
    public static final String FAILED = "generation.failed";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private GenerationEvents() {
    }

    /**
     * generation.completed: the manifest's own source, created and images[] (the same array, so the
     * event and the manifest cannot disagree), with the manifest's key and the submission's metadata.
     */
    static ObjectNode completed(String generationKey, EventSubject subject, String manifestKey, JsonNode manifest,
            long archivedAt) {
        ObjectNode data = NODES.objectNode();
        data.put("generation_id", GenerationKey.idOf(generationKey));
        putQueuedId(data, subject);
        data.put("provider", GenerationKey.providerOf(generationKey));
        data.set("source", manifest.path("source").isMissingNode() ? NODES.nullNode() : manifest.get("source"));
        data.put("state", "archived");
        data.put("manifest_key", manifestKey);
        data.set("images", manifest.path("images").isArray() ? manifest.get("images").deepCopy() : NODES.arrayNode());
        data.set("metadata", subject.metadata());
        data.set("created", manifest.path("created").isMissingNode() ? NODES.nullNode() : manifest.get("created"));
        data.put("archived_at", IsoUtc.format(archivedAt));
        return data;
    }

    /**
     * generation.failed: the generation's id when there is one (a submission Ideogram refused has
     * none), the queued id when it was submitted here, and the fixed error token.
     */
    static ObjectNode failed(String generationKey, EventSubject subject, String error) {
        ObjectNode data = NODES.objectNode();
        if (generationKey != null) {
            data.put("generation_id", GenerationKey.idOf(generationKey));
        }
        putQueuedId(data, subject);
        data.put("provider", generationKey == null ? GenerationKey.IDEOGRAM : GenerationKey.providerOf(generationKey));
        data.put("error", error);
        data.set("metadata", subject.metadata());
        return data;
    }

    private static void putQueuedId(ObjectNode data, EventSubject subject) {
        if (subject.queuedId() != null) {
            data.put("queued_id", subject.queuedId());
        }
    }
}
