package io.ideogramcamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.IdeogramResponses;
import io.ideogramcamel.UrlSafeBase64;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Reads a verified delivery's body into the exchange properties the accept step stores. Runs only
 * after the signature check, so nothing an unauthenticated caller sends is ever parsed.
 */
public class WebhookPayloadParser implements Processor {

    /** Ideogram sends a timestamp; anything this long is not one, and the store refuses it. */
    static final int MAX_CREATED_LENGTH = 256;

    private String source = "webhook";
    private int maxImages = 16;

    public void setSource(String source) {
        this.source = source;
    }

    /**
     * Most data[] entries one delivery may carry (Ideogram sends at most 8): each one is a fetch
     * and a commit in the archive, so a signed body with thousands would hold a worker for hours.
     */
    public void setMaxImages(int maxImages) {
        this.maxImages = maxImages;
    }

    @Override
    public void process(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        JsonNode root = StrictJsonBody.object(body);
        JsonNode id = root.get("generation_id");
        if (id == null || id.isNull()) {
            // One documentation page names the field request_id.
            id = root.get("request_id");
        }
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            throw new WebhookRejectedException(WebhookRejection.MISSING_GENERATION_ID);
        }
        String generationId = id.asText();
        if (!UrlSafeBase64.isValid(generationId)) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_GENERATION_ID);
        }
        if (!generationId.equals(exchange.getProperty(GenerationExchange.GENERATION_ID, String.class))) {
            throw new WebhookRejectedException(WebhookRejection.GENERATION_ID_MISMATCH);
        }
        JsonNode data = root.get("data");
        if (data != null && !data.isNull() && !data.isArray()) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_IMAGE_LIST);
        }
        if (data != null && data.size() > maxImages) {
            throw new WebhookRejectedException(WebhookRejection.TOO_MANY_IMAGES);
        }
        JsonNode createdNode = root.get("created");
        String created = createdNode == null || createdNode.isNull() ? null : createdNode.asText();
        if (created != null && created.length() > MAX_CREATED_LENGTH) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_CREATED);
        }
        exchange.setProperty(GenerationExchange.SOURCE, source);
        exchange.setProperty(GenerationExchange.CREATED, created);
        exchange.setProperty(GenerationExchange.IMAGES, data == null || data.isNull() ? "[]" : data.toString());
        // optional, and only informative: a value that is not a whole number from 0 to 10^12 is
        // ignored rather than refused (the delivery's images matter more than its price tag)
        Long cost = IdeogramResponses.usageCostMicros(root);
        if (cost != null) {
            exchange.setProperty(GenerationExchange.COST_MICROS, cost);
        } else {
            exchange.removeProperty(GenerationExchange.COST_MICROS);
        }
    }

}
