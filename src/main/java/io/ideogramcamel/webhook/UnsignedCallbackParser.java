package io.ideogramcamel.webhook;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.GenerationKey;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Reads an unsigned provider's callback (ImagineAPI's {@code {event, payload: {id, status,
 * progress, ...}}}, RunBlob's {@code {task_uuid, status, ...}}) into the exchange properties the
 * provider route decides on: the generation key, the provider's status and progress, and a
 * delivery id of (id, status, progress) so each distinct update is handled once.
 *
 * <p>Nothing here is trusted beyond what it names: image URLs in the callback are never read, as
 * a completion is archived only with what the provider's own API confirms (ConfirmationAnswer).
 */
public class UnsignedCallbackParser implements Processor {

    private String provider;
    private String envelope = "";
    private String idField = "id";
    private String progressField = "";

    public void setProvider(String provider) {
        this.provider = provider;
    }

    /** The object field the item sits in (ImagineAPI: payload), or empty for the body itself. */
    public void setEnvelope(String envelope) {
        this.envelope = envelope == null ? "" : envelope;
    }

    public void setIdField(String idField) {
        this.idField = idField;
    }

    /** The percent-done field, or empty when the provider sends none. */
    public void setProgressField(String progressField) {
        this.progressField = progressField == null ? "" : progressField;
    }

    @Override
    public void process(Exchange exchange) {
        JsonNode item = StrictJsonBody.object(exchange.getMessage().getBody(byte[].class));
        if (!envelope.isEmpty()) {
            item = item.get(envelope);
            if (item == null || !item.isObject()) {
                throw new WebhookRejectedException(WebhookRejection.INVALID_JSON);
            }
        }
        JsonNode idNode = item.get(idField);
        if (idNode == null || idNode.isNull() || (idNode.isTextual() && idNode.asText().isEmpty())) {
            throw new WebhookRejectedException(WebhookRejection.MISSING_GENERATION_ID);
        }
        if (!idNode.isTextual() || !GenerationKey.isValidId(idNode.asText())) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_PROVIDER_ID);
        }
        String id = idNode.asText();
        JsonNode statusNode = item.get("status");
        String status = statusNode != null && statusNode.isTextual()
                ? statusNode.asText().trim().toLowerCase(Locale.ROOT) : "";
        if (!StrictJsonBody.isStatusToken(status)) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_STATUS);
        }
        Integer progress = progressField.isEmpty() ? null : percent(item.get(progressField));

        exchange.setProperty(GenerationExchange.PROVIDER, provider);
        exchange.setProperty(GenerationExchange.GENERATION_ID, GenerationKey.of(provider, id));
        exchange.setProperty(GenerationExchange.PROVIDER_ITEM_ID, id);
        exchange.setProperty(GenerationExchange.PROVIDER_STATUS, status);
        exchange.setProperty(GenerationExchange.PROVIDER_PROGRESS, progress);
        exchange.setProperty(GenerationExchange.SOURCE, "webhook");
        exchange.setProperty(GenerationExchange.CREATED, null);
        // many updates per item: each (status, progress) step is one delivery, handled once
        exchange.setProperty(GenerationExchange.DELIVERY_ID,
                id + ":" + status + ":" + (progress == null ? "" : progress.toString()));
    }

    /** A whole percent 0..100 from a number or a numeric string; anything else means "not said". */
    static Integer percent(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        double value;
        if (node.isNumber()) {
            value = node.asDouble();
        } else if (node.isTextual()) {
            try {
                value = Double.parseDouble(node.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        } else {
            return null;
        }
        if (Double.isNaN(value) || value < 0 || value > 100) {
            return null;
        }
        return (int) Math.floor(value);
    }

}
