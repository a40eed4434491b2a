package io.ideogramcamel.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.ideogramcamel.standin.WebhookSigner;

/**
 * Ideogram's side of the webhook scheme for tests: a JWKS served over real HTTP on loopback and
 * real Ed25519 signatures over {@code id\nuser\ntimestamp\nsha256hex(body)}.
 */
public final class IdeogramStandIn implements AutoCloseable {

    public static final String JWKS_PATH = "/v1/.well-known/jwks.json";
    /** The Ideogram account every delivery signed by {@link #sign} names. */
    public static final String USER_ID = "dXNlcg";

    private final HttpServer server;
    private final Map<String, byte[]> privateKeys = new ConcurrentHashMap<>();
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private volatile String signingKid;
    private volatile int jwksStatus = 200;

    public IdeogramStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(JWKS_PATH, exchange -> {
            jwksFetches.incrementAndGet();
            byte[] body = (jwksStatus == 200 ? jwksJson() : "{\"error\":\"down\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(jwksStatus, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        addKey("v1");
        signingKid = "v1";
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String jwksUrl() {
        return baseUrl() + JWKS_PATH;
    }

    public int jwksFetches() {
        return jwksFetches.get();
    }

    public void jwksStatus(int status) {
        this.jwksStatus = status;
    }

    /** Publishes a new key in the JWKS (a rotation); the old keys stay listed, as Ideogram does. */
    public void addKey(String kid) {
        privateKeys.put(kid, WebhookSigner.newSecretKey());
    }

    public void signWith(String kid) {
        this.signingKid = kid;
    }

    /** A key Ideogram never published: what a forger holds. */
    public static byte[] strangerKey() {
        return WebhookSigner.newSecretKey();
    }

    /** Headers of a correctly signed delivery of {@code body} for {@code generationId}, signed now. */
    public Map<String, String> sign(String generationId, byte[] body) {
        return sign(generationId, body, System.currentTimeMillis() / 1000, signingKid, privateKeys.get(signingKid));
    }

    public Map<String, String> sign(String generationId, byte[] body, long timestamp, String kid, byte[] privateKey) {
        return WebhookSigner.headers(generationId, USER_ID, timestamp, body, kid, privateKey);
    }

    /** Correctly signed now, by Ideogram's key, for another Ideogram account: allowed-user-ids' case. */
    public Map<String, String> signAs(String userId, String generationId, byte[] body) {
        return WebhookSigner.headers(generationId, userId, System.currentTimeMillis() / 1000, body, signingKid,
                privateKeys.get(signingKid));
    }

    public byte[] privateKey(String kid) {
        return privateKeys.get(kid);
    }

    /** A realistic delivery body with {@code images} entries. */
    public static byte[] deliveryBody(String generationId, int images) {
        StringBuilder json = new StringBuilder("{\"generation_id\":\"").append(generationId)
                .append("\",\"created\":\"2026-11-24T16:00:00Z\",\"data\":[");
        for (int i = 0; i < images; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"url\":\"https://ideogram.ai/api/images/ephemeral/").append(generationId).append('-').append(i)
                    .append(".png?exp=1&sig=x\",\"prompt\":\"a red fox\",\"resolution\":\"1024x1024\",\"seed\":")
                    .append(1000 + i).append(",\"is_image_safe\":true}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A delivery body whose data[] holds the given image objects (see {@link #image}). */
    public static byte[] deliveryBody(String generationId, String... images) {
        return ("{\"generation_id\":\"" + generationId + "\",\"created\":\"2026-11-24T16:00:00Z\",\"data\":["
                + String.join(",", images) + "]}").getBytes(StandardCharsets.UTF_8);
    }

    /** One data[] entry; {@code url} may be null (Ideogram sends none for an unsafe image). */
    public static String image(String url, boolean safe, long seed) {
        return "{\"url\":" + (url == null ? "null" : "\"" + url + "\"")
                + ",\"prompt\":\"a red fox\",\"resolution\":\"1024x1024\",\"seed\":" + seed
                + ",\"is_image_safe\":" + safe + "}";
    }

    /** A fresh URL-safe base64 generation id. */
    public static String newGenerationId() {
        return WebhookSigner.randomId(16);
    }

    private String jwksJson() {
        StringJoiner keys = new StringJoiner(",", "{\"keys\":[", "]}");
        privateKeys.forEach((kid, sk) -> keys.add(WebhookSigner.jwk(kid, WebhookSigner.publicKeyOf(sk))));
        return keys.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
