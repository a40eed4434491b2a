package io.ideogramcamel;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** Reading Ideogram's answers, shared by the submit and the poll call. */
public final class IdeogramResponses {

    /* Ideogram's answers are small JSON; anything larger is not one and is not read into memory. */
    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private IdeogramResponses() {
    }

    /** The HTTP status of the answer camel-http received. */
    public static int status(Exchange exchange) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return status == null ? 0 : status;
    }

    /**
     * The Retry-After header in seconds (Ideogram sends seconds), or -1 when absent or not a number,
     * which means "use the backoff".
     */
    public static long retryAfterSeconds(Exchange exchange) {
        String value = exchange.getMessage().getHeader("Retry-After", String.class);
        if (value == null) {
            return -1;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds < 0 ? -1 : seconds;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The answer's JSON object, or null when it is missing, too large or not a JSON object. */
    public static JsonNode jsonBody(Exchange exchange) {
        Message message = exchange.getMessage();
        try (InputStream in = message.getBody(InputStream.class)) {
            if (in == null) {
                return null;
            }
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                return null;
            }
            JsonNode root = JSON.readTree(bytes);
            return root != null && root.isObject() ? root : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A text field of the answer, or null. */
    public static String text(JsonNode root, String field) {
        JsonNode value = root == null ? null : root.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /**
     * Ideogram's {@code usage_cost_usd_micros} (a poll answer's or a webhook body's): a whole number
     * from 0 to {@link GenerationExchange#MAX_COST_MICROS}, else null (absent, or not to be trusted;
     * never a reason to refuse the answer that carried it).
     */
    public static Long usageCostMicros(JsonNode root) {
        JsonNode cost = root == null ? null : root.get("usage_cost_usd_micros");
        if (cost == null || !cost.isIntegralNumber() || !cost.canConvertToLong()) {
            return null;
        }
        long micros = cost.longValue();
        return micros >= 0 && micros <= GenerationExchange.MAX_COST_MICROS ? micros : null;
    }
}
