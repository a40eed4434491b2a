package io.ideogramcamel.webhook;

import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.GenerationKey;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Reads a verified HMAC relay delivery (seed 001) into the exchange properties. Two shapes arrive:
 * an Ideogram result {@code {generation_id, created, data: [images]}} re-signed by a relay, and
 * the seed's event envelope {@code {id, type, data, created}}. The envelope's {@code id} becomes
 * the delivery id (the seed's "event ID tracking"), its {@code type} the recorded event type; when
 * its {@code data} is itself an Ideogram result (a generation_id and a data array) that result is
 * taken, whatever the type says. A result sets the generation's key ({@code hmac/<generation_id>})
 * and images in Ideogram's data[] shape, as sent; an event without one leaves them unset, and the
 * route records it. Runs only after the signature verified.
 */
public class HmacRelayParser implements Processor {

    public static final String PROVIDER = "hmac";

    /** An event type worth recording: a short dotted token like generation.completed. */
    private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private int maxImages = 16;

    /** Most images one result may carry; each is a fetch and a commit in the archive. */
    public void setMaxImages(int maxImages) {
        this.maxImages = maxImages;
    }

    @Override
    public void process(Exchange exchange) {
        JsonNode root = StrictJsonBody.object(exchange.getMessage().getBody(byte[].class));
        exchange.setProperty(GenerationExchange.PROVIDER, PROVIDER);
        exchange.removeProperty(GenerationExchange.GENERATION_ID);
        exchange.removeProperty(GenerationExchange.IMAGES);
        exchange.removeProperty(GenerationExchange.PROVIDER_STATUS);
        JsonNode result;
        String envelopeCreated = null;
        if (root.has("generation_id")) {
            result = root;
        } else if (root.has("id")) {
            exchange.setProperty(GenerationExchange.DELIVERY_ID, StrictJsonBody.providerId(root, "id"));
            String type = StrictJsonBody.text(root, "type");
            // recorded with the delivery: only a token, so nothing odd reaches the store or the log
            exchange.setProperty(GenerationExchange.PROVIDER_STATUS,
                    type != null && EVENT_TYPE.matcher(type).matches() ? type : "event");
            envelopeCreated = StrictJsonBody.created(root, "created");
            JsonNode data = root.get("data");
            result = isIdeogramResult(data) ? data : null;
        } else {
            throw new WebhookRejectedException(WebhookRejection.MISSING_GENERATION_ID);
        }
        if (result == null) {
            return;
        }
        String generationId = StrictJsonBody.providerId(result, "generation_id");
        JsonNode images = result.get("data");
        if (images == null || !images.isArray()) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_IMAGE_LIST);
        }
        if (images.size() > maxImages) {
            throw new WebhookRejectedException(WebhookRejection.TOO_MANY_IMAGES);
        }
        String created = StrictJsonBody.created(result, "created");
        exchange.setProperty(GenerationExchange.GENERATION_ID, GenerationKey.of(PROVIDER, generationId));
        exchange.setProperty(GenerationExchange.SOURCE, "webhook");
        exchange.setProperty(GenerationExchange.CREATED, created != null ? created : envelopeCreated);
        exchange.setProperty(GenerationExchange.IMAGES, images.toString());
    }

    private static boolean isIdeogramResult(JsonNode data) {
        return data != null && data.isObject() && data.has("generation_id") && data.path("data").isArray();
    }
}
