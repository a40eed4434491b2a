package io.ideogramcamel.standin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ideogram's webhook signature: Ed25519 over {@code id\nuser\ntimestamp\nsha256_hex(body)}, and
 * the JWK that publishes the key. Keys are raw 32-byte RFC 8032 secrets (BouncyCastle) rather than
 * JDK key objects, because tests hand such bytes around to forge or rotate keys.
 */
public final class WebhookSigner {

    public static final String GENERATION_ID_HEADER = "X-Ideogram-Webhook-Generation-Id";
    public static final String USER_ID_HEADER = "X-Ideogram-Webhook-User-Id";
    public static final String TIMESTAMP_HEADER = "X-Ideogram-Webhook-Timestamp";
    public static final String KEY_ID_HEADER = "X-Ideogram-Webhook-Key-Id";
    public static final String SIGNATURE_HEADER = "X-Ideogram-Webhook-Signature";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String kid;
    private final byte[] secretKey;

    public WebhookSigner(String kid) {
        this(kid, newSecretKey());
    }

    public WebhookSigner(String kid, byte[] secretKey) {
        this.kid = kid;
        this.secretKey = secretKey.clone();
    }

    public String kid() {
        return kid;
    }

    /** Content-Type and the five signature headers of a delivery of {@code body}, in send order. */
    public Map<String, String> headers(String generationId, String userId, long timestamp, byte[] body) {
        return headers(generationId, userId, timestamp, body, kid, secretKey);
    }

    /** One JWK object for this key, as Ideogram's JWKS lists it. */
    public String jwk() {
        return jwk(kid, publicKeyOf(secretKey));
    }

    public static Map<String, String> headers(String generationId, String userId, long timestamp, byte[] body,
            String kid, byte[] secretKey) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put(GENERATION_ID_HEADER, generationId);
        headers.put(USER_ID_HEADER, userId);
        headers.put(TIMESTAMP_HEADER, Long.toString(timestamp));
        headers.put(KEY_ID_HEADER, kid);
        headers.put(SIGNATURE_HEADER, signatureHex(secretKey, generationId, userId, timestamp, body));
        return headers;
    }

    public static String signatureHex(byte[] secretKey, String generationId, String userId, long timestamp, byte[] body) {
        byte[] message = (generationId + "\n" + userId + "\n" + timestamp + "\n" + sha256Hex(body))
                .getBytes(StandardCharsets.UTF_8);
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(secretKey, 0, message, 0, message.length, signature, 0);
        return HexFormat.of().formatHex(signature);
    }

    public static byte[] newSecretKey() {
        byte[] secretKey = new byte[Ed25519.SECRET_KEY_SIZE];
        RANDOM.nextBytes(secretKey);
        return secretKey;
    }

    public static byte[] publicKeyOf(byte[] secretKey) {
        byte[] publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(secretKey, 0, publicKey, 0);
        return publicKey;
    }

    public static String jwk(String kid, byte[] publicKey) {
        return "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"use\":\"sig\",\"alg\":\"EdDSA\",\"kid\":\"" + kid
                + "\",\"x\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(publicKey) + "\"}";
    }

    public static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** A random URL-safe base64 id of {@code bytes} random bytes, unpadded, like Ideogram's ids. */
    public static String randomId(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
