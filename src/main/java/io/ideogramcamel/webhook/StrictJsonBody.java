package io.ideogramcamel.webhook;

import java.io.IOException;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a verified provider body as one JSON object, strictly: trailing garbage or a repeated field
 * would let two readers of the same signed bytes disagree on which generation it is about.
 */
final class StrictJsonBody {

    /** Longest "created" text kept: providers send a timestamp, and the store refuses longer. */
    static final int MAX_CREATED_LENGTH = 256;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /* A provider's status word: lower case, '-' or '_', short; it is logged, stored and matched. */
    private static final Pattern STATUS_TOKEN = Pattern.compile("[a-z][a-z_-]{0,31}");

    private StrictJsonBody() {
    }

    /** Whether a provider's status is a short lower-case word (else it is not used, nor logged). */
    static boolean isStatusToken(String status) {
        return status != null && STATUS_TOKEN.matcher(status).matches();
    }

    /** The body's top-level object, or a 400 invalid_json. */
    static JsonNode object(byte[] body) {
        if (body == null || body.length == 0) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_JSON);
        }
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || !root.isObject()) {
                throw new WebhookRejectedException(WebhookRejection.INVALID_JSON);
            }
            return root;
        } catch (IOException e) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_JSON);
        }
    }

    /** A field as text when it is text, a number's text when a number, null when absent or null. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || !value.isValueNode() ? null : value.asText();
    }

    /** The "created" value as sent (may be null); a 400 invalid_created when absurdly long. */
    static String created(JsonNode node, String field) {
        String created = text(node, field);
        if (created != null && created.length() > MAX_CREATED_LENGTH) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_CREATED);
        }
        return created;
    }

    /** A provider's id, textual and usable as a store key, else a fixed 400. */
    static String providerId(JsonNode node, String field) {
        JsonNode id = node.get(field);
        if (id == null || id.isNull() || (id.isTextual() && id.asText().isEmpty())) {
            throw new WebhookRejectedException(WebhookRejection.MISSING_GENERATION_ID);
        }
        if (!id.isTextual() || !io.ideogramcamel.GenerationKey.isValidId(id.asText())) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_PROVIDER_ID);
        }
        return id.asText();
    }
}
