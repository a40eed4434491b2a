package io.ideogramcamel.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;

/**
 * An unsigned callback proves nothing, so a completion is archived only with what the provider's
 * own API says about the item (ImagineAPI's {@code GET /items/images/{id}} answering
 * {@code {"data": {...}}}, RunBlob's task status answering the item itself). This bean builds the
 * URL of that call and reads its answer into exchange properties; the provider route's choice
 * decides on them: {@code confirmationCode} (the HTTP status, 0 when unreachable),
 * {@code confirmedStatus} (the API's own status word, null when its answer is unusable) and, for a
 * completed item, {@link GenerationExchange#IMAGES} built from the API's URLs only.
 */
public class ConfirmationAnswer {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The largest confirmation answer read (64 KiB). */
    static final int MAX_ANSWER_BYTES = 65536;

    private String urlTemplate;
    private String idPlaceholder = "{id}";
    private String envelope = "";
    private String idField = "id";
    private String imageFields = "url";
    private int maxImages = 16;

    /** The item's URL with {@link #setIdPlaceholder} where the provider's id goes. */
    public void setUrlTemplate(String urlTemplate) {
        this.urlTemplate = urlTemplate;
    }

    public void setIdPlaceholder(String idPlaceholder) {
        this.idPlaceholder = idPlaceholder;
    }

    /** The answer's field holding the item (ImagineAPI: data), or empty for the answer itself. */
    public void setEnvelope(String envelope) {
        this.envelope = envelope == null ? "" : envelope;
    }

    public void setIdField(String idField) {
        this.idField = idField;
    }

    /**
     * The item's image fields in archive order, comma-separated; each a URL or an array of URLs
     * (ImagineAPI: upscaled_urls,url; RunBlob: result_image_url). A URL listed twice is kept once.
     */
    public void setImageFields(String imageFields) {
        this.imageFields = imageFields;
    }

    public void setMaxImages(int maxImages) {
        this.maxImages = maxImages;
    }

    /** The confirmation call's URL for the provider's id (a valid key part, encoded anyway). */
    public String url(String id) {
        return urlTemplate.replace(idPlaceholder, URLEncoder.encode(id, StandardCharsets.UTF_8));
    }

    /** Reads the answer of direct:provider-confirm; never throws, the route decides. */
    public void read(Exchange exchange) {
        exchange.removeProperty(GenerationExchange.CONFIRMED_STATUS);
        exchange.setProperty(GenerationExchange.IMAGES, "[]");
        Integer code = exchange.getProperty(GenerationExchange.CONFIRMATION_CODE, Integer.class);
        if (code == null || code != 200) {
            return;
        }
        JsonNode item = item(boundedBody(exchange));
        String expectedId = exchange.getProperty(GenerationExchange.PROVIDER_ITEM_ID, String.class);
        // an answer about another item, or without a status, confirms nothing
        if (item == null || !textOf(item, idField).equals(expectedId) || textOf(item, "status").isEmpty()) {
            return;
        }
        String status = textOf(item, "status").trim().toLowerCase(Locale.ROOT);
        // the word goes into a log line: a short token, or "other"
        if (!StrictJsonBody.isStatusToken(status)) {
            status = "other";
        }
        if ("completed".equals(status)) {
            ArrayNode images = images(item);
            if (images.isEmpty()) {
                // completed without a single usable link: unusable, asked again on the provider's retry
                return;
            }
            exchange.setProperty(GenerationExchange.IMAGES, images.toString());
        }
        exchange.setProperty(GenerationExchange.CONFIRMED_STATUS, status);
    }

    /** The API denied the completion: 409 unconfirmed, nothing stored. */
    public void unconfirmed() {
        throw new WebhookRejectedException(WebhookRejection.UNCONFIRMED);
    }

    /** The API could not be asked, or answered unusably: 503, so the provider retries. */
    public void unavailable() {
        throw new WebhookRejectedException(WebhookRejection.CONFIRMATION_UNAVAILABLE);
    }

    private ArrayNode images(JsonNode item) {
        Set<String> urls = new LinkedHashSet<>();
        for (String field : imageFields.split(",")) {
            JsonNode node = item.get(field.trim());
            if (node == null) {
                continue;
            }
            if (node.isTextual()) {
                add(urls, node.asText());
            } else if (node.isArray()) {
                node.forEach(u -> {
                    if (u.isTextual()) {
                        add(urls, u.asText());
                    }
                });
            }
        }
        String prompt = textOf(item, "prompt");
        ArrayNode images = JSON.createArrayNode();
        for (String url : urls) {
            if (images.size() >= maxImages) {
                break;
            }
            ObjectNode entry = images.addObject();
            entry.put("url", url);
            if (!prompt.isEmpty()) {
                entry.put("prompt", prompt);
            }
        }
        return images;
    }

    private static void add(Set<String> urls, String url) {
        if (url != null && !url.isBlank()) {
            urls.add(url.trim());
        }
    }

    /*
     * An item's status is a few hundred bytes: a longer answer (counted as it is read, with or
     * without Content-Length) is unusable, so a broken or hostile API cannot fill the heap.
     */
    private static byte[] boundedBody(Exchange exchange) {
        try (InputStream in = exchange.getMessage().getBody(InputStream.class)) {
            if (in == null) {
                return null;
            }
            byte[] bytes = in.readNBytes(MAX_ANSWER_BYTES + 1);
            return bytes.length > MAX_ANSWER_BYTES ? null : bytes;
        } catch (IOException e) {
            return null;
        }
    }

    private JsonNode item(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || !root.isObject()) {
                return null;
            }
            JsonNode item = envelope.isEmpty() ? root : root.get(envelope);
            return item != null && item.isObject() ? item : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String textOf(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : "";
    }
}
