package io.ideogramcamel.standin;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * An HMAC relay (seed 001's scheme): signs a callback with a shared secret as lowercase hex
 * HMAC-SHA256 over {@code "{timestamp}.{raw body}"} in {@code X-Ideogram-Signature}, Unix seconds in
 * {@code X-Ideogram-Timestamp}, and POSTs it to the bundle. Two body shapes, as relays send them:
 * an Ideogram result {@code {generation_id, created, data: [images]}}, and seed 001's event
 * envelope {@code {id, type, data, created}} whose data is such a result (or, for an event without
 * images, anything else). The images are the stand-in's own PNGs under {@code /providers/hmac/images/}.
 * <p>
 * {@code POST /providers/hmac/send?to=<bundle url>[&shape=result|event|event-without-images][&images=2]}
 * signs with {@link #DEMO_SECRET} (application-demo.properties has the same) and answers what the
 * bundle said.
 */
public final class HmacRelaySender implements Exchanges.Endpoint {

    public static final String PATH = "/providers/hmac/";
    /** The demo profile's providers.hmac.secret. */
    public static final String DEMO_SECRET = "local-demo-hmac-secret";
    public static final String SIGNATURE_HEADER = "X-Ideogram-Signature";
    public static final String TIMESTAMP_HEADER = "X-Ideogram-Timestamp";

    private final RelayImages images;

    HmacRelaySender(String baseUrl) {
        this.images = new RelayImages(baseUrl + PATH);
    }

    /** A fresh id in Ideogram's style (URL-safe base64). */
    public String newId() {
        return WebhookSigner.randomId(16);
    }

    /** An Ideogram result with {@code count} of the stand-in's images (rendered now). */
    public byte[] resultBody(String generationId, int count) {
        return GenerationJson.bytes(result(generationId, count));
    }

    /** Seed 001's envelope around an Ideogram result with {@code count} images. */
    public byte[] eventBody(String eventId, String type, String generationId, int count) {
        ObjectNode event = GenerationJson.JSON.createObjectNode();
        event.put("id", eventId).put("type", type);
        event.set("data", result(generationId, count));
        event.put("created", Instant.now().toString());
        return GenerationJson.bytes(event);
    }

    /** Seed 001's envelope about something other than a result: nothing to archive. */
    public byte[] eventWithoutImagesBody(String eventId, String type) {
        ObjectNode event = GenerationJson.JSON.createObjectNode();
        event.put("id", eventId).put("type", type);
        event.putObject("data").put("resource_id", "res_" + eventId).put("note", "no images in this event");
        event.put("created", Instant.now().toString());
        return GenerationJson.bytes(event);
    }

    /** How often the bundle fetched image {@code index} of {@code generationId}. */
    public int imageFetches(String generationId, int index) {
        return images.fetches(generationId, index);
    }

    /** Content-Type and the two signature headers for {@code body}, signed with {@code secret} at {@code timestamp}. */
    public static Map<String, String> headers(String secret, long timestamp, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put(TIMESTAMP_HEADER, Long.toString(timestamp));
        headers.put(SIGNATURE_HEADER, signatureHex(secret, Long.toString(timestamp), body));
        return headers;
    }

    /** Lowercase hex HMAC-SHA256 (key: the secret's UTF-8 bytes) of {@code timestamp "." body}. */
    public static String signatureHex(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
        }
    }

    /** Signs {@code body} with {@code secret} now and POSTs it to {@code to}. */
    public HttpResponse<String> send(String to, String secret, byte[] body) throws IOException {
        return ProviderCallbacks.post(to, headers(secret, Instant.now().getEpochSecond(), body), body);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException, ApiError {
        String rest = exchange.getRequestURI().getPath().substring(PATH.length());
        if (images.serve(exchange, rest)) {
            return;
        }
        if (!rest.equals("send")) {
            throw new ApiError(404, "Not found");
        }
        Exchanges.requireMethod(exchange, "POST");
        Map<String, String> query = ProviderCallbacks.query(exchange);
        String to = ProviderCallbacks.loopbackTarget(query);
        int count = ProviderCallbacks.count(query, "images", 2, 8);
        String shape = query.getOrDefault("shape", "event");
        String generationId = newId();
        String eventId = "evt_" + WebhookSigner.randomId(12);
        byte[] body = switch (shape) {
            case "result" -> resultBody(generationId, count);
            case "event" -> eventBody(eventId, "generation.completed", generationId, count);
            case "event-without-images" -> eventWithoutImagesBody(eventId, "resource.updated");
            default -> throw new ApiError(400, "shape must be result, event or event-without-images");
        };
        HttpResponse<String> answer = send(to, DEMO_SECRET, body);
        Map<String, Object> out = new LinkedHashMap<>();
        if (!shape.equals("event-without-images")) {
            out.put("generation_id", generationId);
            out.put("status_url_path", "/generations/hmac/" + generationId);
        }
        if (!shape.equals("result")) {
            out.put("event_id", eventId);
        }
        out.put("sent_to", to);
        out.put("answer_status", answer.statusCode());
        out.put("answer", answer.body());
        Exchanges.json(exchange, 200, out);
    }

    private ObjectNode result(String generationId, int count) {
        String prompt = "a lighthouse relayed over HMAC";
        String[] urls = images.render(generationId, prompt, count);
        ObjectNode result = GenerationJson.JSON.createObjectNode();
        result.put("generation_id", generationId);
        result.put("created", Instant.now().toString());
        ArrayNode data = result.putArray("data");
        for (int i = 0; i < count; i++) {
            data.addObject().put("url", urls[i]).put("prompt", prompt).put("resolution", "1024x1024")
                    .put("seed", 1000 + i).put("is_image_safe", true);
        }
        return result;
    }
}
