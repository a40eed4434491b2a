package io.ideogramcamel.standin;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A Replicate-style sender of Standard Webhooks (standardwebhooks.com): {@code webhook-id},
 * {@code webhook-timestamp} and {@code webhook-signature: v1,<base64 HMAC-SHA256 of
 * "{id}.{timestamp}.{body}">} keyed with the bytes of a {@code whsec_<base64>} secret; bodies are
 * Replicate predictions {@code {id, status, output, error, created_at, ...}}. Its PNG outputs are
 * served under {@code /providers/standard/images/}. (It signs with its own few lines, since the
 * stand-in jar holds none of the bundle's classes; tests sign with the npm package instead.)
 * <p>
 * {@code POST /providers/standard/send?to=<bundle url>[&outcome=succeeded|failed|canceled][&images=2]}
 * sends a {@code processing} delivery, then the outcome, each with its own webhook-id, signed with
 * {@link #DEMO_SECRET} (application-demo.properties has the same), and answers what the bundle said.
 */
public final class StandardWebhooksSender implements Exchanges.Endpoint {

    public static final String PATH = "/providers/standard/";
    /** The demo profile's providers.standard.secret. */
    public static final String DEMO_SECRET = "whsec_bG9jYWwtZGVtby1zdGFuZGFyZC1rZXkh";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final RelayImages images;

    StandardWebhooksSender(String baseUrl) {
        this.images = new RelayImages(baseUrl + PATH);
    }

    /** A fresh prediction id in Replicate's style (26 lower-case letters and digits). */
    public String newPredictionId() {
        StringBuilder id = new StringBuilder(26);
        for (int i = 0; i < 26; i++) {
            id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }

    /** A fresh webhook-id, {@code msg_...}, as Svix-style senders name deliveries. */
    public static String newMessageId() {
        return "msg_" + WebhookSigner.randomId(18).replace('-', 'x').replace('_', 'y');
    }

    /**
     * A prediction in {@code status}; {@code succeeded} with {@code count} of the stand-in's images as
     * output (rendered now), {@code failed} with an error text the bundle must not keep.
     */
    public byte[] predictionBody(String predictionId, String status, int count) {
        ObjectNode prediction = GenerationJson.JSON.createObjectNode();
        prediction.put("id", predictionId).put("model", "local/standin-image").put("version", "local")
                .put("status", status).put("created_at", "2026-11-30T10:00:00.000Z");
        prediction.putObject("input").put("prompt", "a harbour at dawn, Replicate style");
        if (status.equals("succeeded")) {
            ArrayNode output = prediction.putArray("output");
            for (String url : images.render(predictionId, "a harbour at dawn, Replicate style", count)) {
                output.add(url);
            }
        } else {
            prediction.putNull("output");
        }
        if (status.equals("failed")) {
            prediction.put("error", "CUDA out of memory <script>alert(1)</script>");
        } else {
            prediction.putNull("error");
        }
        prediction.put("logs", status.equals("starting") ? "" : "step 1/4\n");
        return GenerationJson.bytes(prediction);
    }

    public int imageFetches(String predictionId, int index) {
        return images.fetches(predictionId, index);
    }

    /** Content-Type and the three Standard Webhooks headers, signed with {@code secret}. */
    public static Map<String, String> headers(String secret, String msgId, long timestamp, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("webhook-id", msgId);
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", sign(secret, msgId, timestamp, body));
        return headers;
    }

    /** {@code v1,<base64 HMAC-SHA256>} of {@code msgId "." timestamp "." body}. */
    public static String sign(String secret, String msgId, long timestamp, byte[] body) {
        String base64 = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64), "HmacSHA256"));
            mac.update((msgId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
        }
    }

    /** POSTs {@code body} with {@code headers} to {@code to}. */
    public HttpResponse<String> send(String to, Map<String, String> headers, byte[] body) throws IOException {
        return ProviderCallbacks.post(to, headers, body);
    }

    /** Signs {@code body} with {@code secret} now, under a fresh webhook-id, and POSTs it. */
    public HttpResponse<String> send(String to, String secret, byte[] body) throws IOException {
        return send(to, headers(secret, newMessageId(), Instant.now().getEpochSecond(), body), body);
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
        String outcome = query.getOrDefault("outcome", "succeeded");
        if (!List.of("succeeded", "failed", "canceled").contains(outcome)) {
            throw new ApiError(400, "outcome must be succeeded, failed or canceled");
        }
        String predictionId = newPredictionId();
        List<Map<String, Object>> answers = new ArrayList<>();
        for (String status : List.of("processing", outcome)) {
            HttpResponse<String> answer = send(to, DEMO_SECRET, predictionBody(predictionId, status, count));
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("status_sent", status);
            one.put("answer_status", answer.statusCode());
            one.put("answer", answer.body());
            answers.add(one);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prediction_id", predictionId);
        out.put("status_url_path", "/generations/standard/" + predictionId);
        out.put("sent_to", to);
        out.put("deliveries", answers);
        Exchanges.json(exchange, 200, out);
    }
}
