package io.ideogramcamel.standin;

import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON shapes Ideogram answers with for a generation: the poll answer and the webhook body. */
final class GenerationJson {

    static final ObjectMapper JSON = new ObjectMapper();
    /** What the stand-in "charges" per image, in millionths of a USD (Ideogram's usage_cost_usd_micros). */
    static final long COST_MICROS_PER_IMAGE = 40_000;

    private GenerationJson() {
    }

    static ObjectNode poll(Generation generation) {
        ObjectNode poll = JSON.createObjectNode()
                .put("generation_id", generation.id())
                .put("status", generation.status().name().toLowerCase(Locale.ROOT))
                .put("created", generation.created());
        switch (generation.status()) {
            case COMPLETED -> {
                poll.put("response_type", "url");
                poll.set("data", data(generation));
                poll.put("usage_cost_usd_micros", COST_MICROS_PER_IMAGE * generation.images().size());
            }
            case FAILED -> poll.put("failure_reason", generation.failureReason());
            default -> {
                // pending: nothing more to say
            }
        }
        return poll;
    }

    static byte[] webhookBody(Generation generation) {
        ObjectNode body = JSON.createObjectNode()
                .put("generation_id", generation.id())
                .put("created", generation.created());
        body.set("data", data(generation));
        return bytes(body);
    }

    static byte[] bytes(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ArrayNode data(Generation generation) {
        ArrayNode data = JSON.createArrayNode();
        for (GeneratedImage image : generation.images()) {
            data.addObject()
                    .put("url", image.url())
                    .put("prompt", image.prompt())
                    .put("resolution", image.resolution())
                    .put("seed", image.seed())
                    .put("is_image_safe", image.safe());
        }
        return data;
    }
}
