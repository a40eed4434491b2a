package io.ideogramcamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.GenerationKey;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Reads a verified Standard Webhooks delivery carrying a Replicate prediction
 * {@code {id, status, output, error, created_at}} into the exchange properties: the key
 * {@code <provider>/<id>} (the prediction's id, so every delivery about one prediction lands on one
 * generation), its status as sent, and for {@code succeeded} the output URLs (an array of strings or
 * one string) in Ideogram's data[] shape. The route's choice on the status decides what happens;
 * the provider's error text is never read (a failure is recorded with a fixed token). Runs only
 * after the signature verified.
 */
public class ReplicatePredictionParser implements Processor {

    private String provider = "standard";
    private int maxImages = 16;

    public void setProvider(String provider) {
        this.provider = provider;
    }

    /** Most output URLs one prediction may carry; each is a fetch and a commit in the archive. */
    public void setMaxImages(int maxImages) {
        this.maxImages = maxImages;
    }

    @Override
    public void process(Exchange exchange) {
        JsonNode root = StrictJsonBody.object(exchange.getMessage().getBody(byte[].class));
        String id = StrictJsonBody.providerId(root, "id");
        JsonNode status = root.get("status");
        if (status == null || !status.isTextual() || !StrictJsonBody.isStatusToken(status.asText())) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_STATUS);
        }
        exchange.setProperty(GenerationExchange.PROVIDER, provider);
        exchange.setProperty(GenerationExchange.GENERATION_ID, GenerationKey.of(provider, id));
        exchange.setProperty(GenerationExchange.PROVIDER_STATUS, status.asText());
        // Replicate reports no percentage, only logs
        exchange.setProperty(GenerationExchange.PROVIDER_PROGRESS, null);
        exchange.setProperty(GenerationExchange.SOURCE, "webhook");
        exchange.setProperty(GenerationExchange.CREATED, StrictJsonBody.created(root, "created_at"));
        if ("succeeded".equals(status.asText())) {
            exchange.setProperty(GenerationExchange.IMAGES, images(root.get("output")).toString());
        } else {
            // a prediction still running may show partial output: nothing is archived before succeeded
            exchange.removeProperty(GenerationExchange.IMAGES);
        }
    }

    private ArrayNode images(JsonNode output) {
        ArrayNode images = JsonNodeFactory.instance.arrayNode();
        if (output == null || output.isNull()) {
            return images;
        }
        if (output.isTextual()) {
            images.addObject().put("url", output.asText());
            return images;
        }
        if (!output.isArray()) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_IMAGE_LIST);
        }
        if (output.size() > maxImages) {
            throw new WebhookRejectedException(WebhookRejection.TOO_MANY_IMAGES);
        }
        for (JsonNode url : output) {
            if (!url.isTextual()) {
                throw new WebhookRejectedException(WebhookRejection.INVALID_IMAGE_LIST);
            }
            images.addObject().put("url", url.asText());
        }
        return images;
    }
}
