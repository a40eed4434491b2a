package io.ideogramcamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.GenerationKey;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Reads a verified fal.ai delivery ({@code {request_id, gateway_request_id, status: "OK"|"ERROR",
 * payload: {images: [{url, content_type, width, height, ...}], seed}, error}}) into the exchange
 * properties the provider routes use: the key {@code fal/<request_id>}, the status for the route's
 * choice, and for OK the images in the shape the accept step stores. Runs only after the
 * signature check; a body it cannot read is a {@link WebhookRejectedException} (400).
 */
public class FalPayloadParser implements Processor {

    public static final String PROVIDER = "fal";
    public static final String OK = "OK";
    public static final String ERROR = "ERROR";

    // Strict, as Ideogram's parser: two readers of the same signed bytes must agree on the id.

    private int maxImages = 16;

    /** Most images one delivery may list: each one is a fetch and a commit in the archive. */
    public void setMaxImages(int maxImages) {
        this.maxImages = maxImages;
    }

    @Override
    public void process(Exchange exchange) {
        JsonNode root = StrictJsonBody.object(exchange.getMessage().getBody(byte[].class));
        JsonNode id = root.get("request_id");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            throw new WebhookRejectedException(WebhookRejection.MISSING_GENERATION_ID);
        }
        String requestId = id.asText();
        if (!GenerationKey.isValidId(requestId)) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_GENERATION_ID);
        }
        // the signature covers the header's request id, not the body's: they must be the same
        if (!requestId.equals(exchange.getProperty(GenerationExchange.SIGNED_ID, String.class))) {
            throw new WebhookRejectedException(WebhookRejection.GENERATION_ID_MISMATCH);
        }
        JsonNode status = root.get("status");
        String providerStatus = status == null || !status.isTextual() ? null : status.asText();
        if (!OK.equals(providerStatus) && !ERROR.equals(providerStatus)) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_STATUS);
        }
        exchange.setProperty(GenerationExchange.GENERATION_ID, GenerationKey.of(PROVIDER, requestId));
        exchange.setProperty(GenerationExchange.PROVIDER_STATUS, providerStatus);
        exchange.setProperty(GenerationExchange.SOURCE, "webhook");
        exchange.setProperty(GenerationExchange.CREATED, null);
        exchange.removeProperty(GenerationExchange.COST_MICROS);
        // fal names no delivery: the generation key's idempotency is the whole dedupe
        exchange.removeProperty(GenerationExchange.DELIVERY_ID);
        if (OK.equals(providerStatus)) {
            exchange.setProperty(GenerationExchange.IMAGES, images(root.get("payload")).toString());
        }
    }

    /** payload.images[] as the accept step's data[] shape: url, and resolution and seed when fal says. */
    private ArrayNode images(JsonNode payload) {
        JsonNode images = payload == null || !payload.isObject() ? null : payload.get("images");
        if (images == null || !images.isArray()) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_IMAGE_LIST);
        }
        if (images.size() > maxImages) {
            throw new WebhookRejectedException(WebhookRejection.TOO_MANY_IMAGES);
        }
        JsonNode seed = payload.get("seed");
        // fal's safety checker flags images by position; a flagged one is kept out of the archive as
        // Ideogram's unsafe images are (listed in the manifest, never fetched)
        JsonNode nsfw = payload.get("has_nsfw_concepts");
        ArrayNode data = JsonNodeFactory.instance.arrayNode();
        int index = 0;
        for (JsonNode image : images) {
            JsonNode url = image.isObject() ? image.get("url") : null;
            if (url == null || !url.isTextual() || url.asText().isEmpty()) {
                throw new WebhookRejectedException(WebhookRejection.INVALID_IMAGE_LIST);
            }
            ObjectNode entry = data.addObject().put("url", url.asText());
            JsonNode width = image.get("width");
            JsonNode height = image.get("height");
            if (width != null && width.canConvertToInt() && height != null && height.canConvertToInt()) {
                entry.put("resolution", width.asInt() + "x" + height.asInt());
            }
            if (seed != null && seed.canConvertToLong()) {
                entry.put("seed", seed.asLong());
            }
            if (nsfw != null && nsfw.isArray() && nsfw.path(index).asBoolean(false)) {
                entry.put("is_image_safe", false);
            }
            index++;
        }
        return data;
    }

}
