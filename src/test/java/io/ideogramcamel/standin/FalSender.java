package io.ideogramcamel.standin;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * The stand-in's fal.ai mode: fal's webhook as fal documents it. A key pair of its own (not
 * Ideogram's), its JWKS, deliveries signed over {@code request_id\nuser_id\ntimestamp\nsha256_hex(body)}
 * under the {@code X-Fal-Webhook-*} headers with no key id, fal's body
 * ({@code {request_id, gateway_request_id, status, payload: {images: [...]}, error}}), and the PNGs
 * an OK body links to. Paths under {@value #PATH}:
 * <ul>
 * <li>{@code GET .well-known/jwks.json}: the public key;</li>
 * <li>{@code POST send?to=<loopback url>&status=OK|ERROR[&images=1..4][&user_id=...]}: signs and
 * posts one delivery now, answers {@code {request_id, status, answer}} (the receiver's status and body);</li>
 * <li>{@code GET images/<request_id>/<index>.png}: the images of a delivery sent.</li>
 * </ul>
 */
public final class FalSender implements Exchanges.Endpoint {

    public static final String PATH = "/providers/fal/";
    public static final String JWKS_PATH = PATH + ".well-known/jwks.json";
    public static final String SEND_PATH = PATH + "send";
    static final String IMAGES_PATH = PATH + "images/";

    public static final String REQUEST_ID_HEADER = "X-Fal-Webhook-Request-Id";
    public static final String USER_ID_HEADER = "X-Fal-Webhook-User-Id";
    public static final String TIMESTAMP_HEADER = "X-Fal-Webhook-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Fal-Webhook-Signature";
    public static final String KEY_ID = "fal-local-v1";
    public static final int MAX_IMAGES = 4;

    private static final Pattern IMAGE = Pattern.compile(Pattern.quote(IMAGES_PATH) + "([A-Za-z0-9-]{1,64})/([0-9])\\.png");

    private final String baseUrl;
    private final byte[] secretKey = WebhookSigner.newSecretKey();
    private final String userId = "fal-user-" + WebhookSigner.randomId(6);
    private final Map<String, List<byte[]>> images = new ConcurrentHashMap<>();
    private final Map<String, Integer> fetches = new ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    FalSender(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** One delivery sent: fal's request id, the receiver's HTTP status and body. */
    public record Sent(String requestId, int status, String answer) {
    }

    /** The account every delivery names in X-Fal-Webhook-User-Id unless told another. */
    public String userId() {
        return userId;
    }

    public String jwksUrl() {
        return baseUrl + JWKS_PATH;
    }

    /** A fresh request id, a UUID as fal's are. */
    public static String newRequestId() {
        return UUID.randomUUID().toString();
    }

    /** Renders {@code count} PNGs for the request, served by the stand-in; their links. */
    public List<String> images(String requestId, int count) {
        List<byte[]> pngs = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pngs.add(PngRenderer.render("fal " + requestId, "1024x1024", requestId.hashCode() + i, i, count));
            urls.add(baseUrl + IMAGES_PATH + requestId + "/" + i + ".png");
        }
        images.put(requestId, List.copyOf(pngs));
        return urls;
    }

    /** How often image {@code index} of the request was fetched. */
    public int imageFetches(String requestId, int index) {
        return fetches.getOrDefault(requestId + "/" + index, 0);
    }

    /** fal's OK body listing the image links. */
    public static byte[] okBody(String requestId, List<String> urls) {
        ObjectNode body = envelope(requestId, "OK");
        ArrayNode list = body.putObject("payload").putArray("images");
        for (String url : urls) {
            list.addObject().put("url", url).put("content_type", "image/png").put("file_name", "image.png")
                    .put("width", 1024).put("height", 1024);
        }
        ((ObjectNode) body.get("payload")).put("seed", 196619188L);
        return GenerationJson.bytes(body);
    }

    /** fal's ERROR body, with the validation detail fal puts in the payload. */
    public static byte[] errorBody(String requestId) {
        ObjectNode body = envelope(requestId, "ERROR").put("error", "Invalid status code: 422");
        body.putObject("payload").putArray("detail").addObject()
                .put("msg", "field required").put("type", "value_error.missing");
        return GenerationJson.bytes(body);
    }

    private static ObjectNode envelope(String requestId, String status) {
        return GenerationJson.JSON.createObjectNode().put("request_id", requestId)
                .put("gateway_request_id", requestId).put("status", status);
    }

    /** Content-Type and fal's four signature headers for {@code body}, signed with the published key. */
    public Map<String, String> headers(String requestId, String user, long timestamp, byte[] body) {
        return headers(requestId, user, timestamp, body, secretKey);
    }

    /** The same with any key: a forger's, for tests. */
    public static Map<String, String> headers(String requestId, String user, long timestamp, byte[] body, byte[] key) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put(REQUEST_ID_HEADER, requestId);
        headers.put(USER_ID_HEADER, user);
        headers.put(TIMESTAMP_HEADER, Long.toString(timestamp));
        headers.put(SIGNATURE_HEADER, WebhookSigner.signatureHex(key, requestId, user, timestamp, body));
        return headers;
    }

    /** Signs now and posts an OK (with {@code imageCount} stand-in PNGs) or ERROR delivery; waits for the answer. */
    public Sent send(String to, String status, int imageCount, String user) throws IOException {
        String requestId = newRequestId();
        byte[] body = "OK".equals(status) ? okBody(requestId, images(requestId, imageCount)) : errorBody(requestId);
        return send(to, requestId, user, body);
    }

    public Sent send(String to, String status, int imageCount) throws IOException {
        return send(to, status, imageCount, userId);
    }

    /** Posts {@code body} signed now for {@code requestId} and {@code user}. */
    public Sent send(String to, String requestId, String user, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(to)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers(requestId, user, System.currentTimeMillis() / 1000, body).forEach(request::header);
        try {
            HttpResponse<String> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Sent(requestId, answer.statusCode(), answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException, ApiError {
        String path = exchange.getRequestURI().getPath();
        if (JWKS_PATH.equals(path)) {
            Exchanges.requireMethod(exchange, "GET");
            Exchanges.bytes(exchange, 200, "application/json",
                    ("{\"keys\":[" + WebhookSigner.jwk(KEY_ID, WebhookSigner.publicKeyOf(secretKey)) + "]}")
                            .getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (SEND_PATH.equals(path)) {
            Exchanges.requireMethod(exchange, "POST");
            sendRequested(exchange);
            return;
        }
        Matcher image = IMAGE.matcher(path);
        List<byte[]> pngs = image.matches() ? images.get(image.group(1)) : null;
        int index = pngs == null ? -1 : Integer.parseInt(image.group(2));
        if (pngs == null || index >= pngs.size()) {
            throw new ApiError(404, "Not found");
        }
        Exchanges.requireMethod(exchange, "GET");
        fetches.merge(image.group(1) + "/" + index, 1, Integer::sum);
        Exchanges.bytes(exchange, 200, "image/png", pngs.get(index));
    }

    private void sendRequested(HttpExchange exchange) throws IOException, ApiError {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String to = query.get("to");
        String status = query.getOrDefault("status", "OK");
        if (to == null || !(to.startsWith("http://127.0.0.1:") || to.startsWith("http://localhost:"))) {
            // the stand-in posts only to a receiver on this machine
            throw new ApiError(400, "to must be an http://127.0.0.1:<port>/... URL");
        }
        if (!"OK".equals(status) && !"ERROR".equals(status)) {
            throw new ApiError(400, "status must be OK or ERROR");
        }
        int count;
        try {
            count = Integer.parseInt(query.getOrDefault("images", "1"));
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 1 || count > MAX_IMAGES) {
            throw new ApiError(400, "images must be 1 to " + MAX_IMAGES);
        }
        Sent sent;
        try {
            sent = send(to, status, count, query.getOrDefault("user_id", userId));
        } catch (IOException | IllegalArgumentException e) {
            throw new ApiError(502, "could not deliver: " + e.getClass().getSimpleName());
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("request_id", sent.requestId());
        answer.put("status", sent.status());
        answer.put("answer", sent.answer());
        Exchanges.json(exchange, 200, answer);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }
}
