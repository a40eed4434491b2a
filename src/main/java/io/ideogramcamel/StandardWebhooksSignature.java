package io.ideogramcamel;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks {@code v1} signature (standardwebhooks.com): base64 HMAC-SHA256 over
 * {@code "{id}.{timestamp}.{body}"} with the key of a {@code whsec_<base64>} secret. Both the
 * verifier of incoming deliveries (signature/) and the signer of outgoing callbacks (events/) use
 * it, so the two can never disagree; it sits here, below both, so neither imports the other.
 */
public final class StandardWebhooksSignature {

    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";

    private static final String SECRET_PREFIX = "whsec_";

    private StandardWebhooksSignature() {
    }

    /** The header value {@code v1,<base64>} for {@code body} signed with the key bytes {@code secret}. */
    public static String sign(byte[] secret, String id, long timestamp, byte[] body) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("secret is empty");
        }
        return "v1," + Base64.getEncoder().encodeToString(hmac(secret, signedContent(id, Long.toString(timestamp), body)));
    }

    /**
     * The key bytes of a {@code whsec_<base64>} (or bare base64) secret; null for a blank one.
     *
     * @param setting the setting's name, for the message when the secret is not base64 (never the value)
     */
    public static byte[] secretBytes(String secret, String setting) {
        if (secret == null || secret.isBlank()) {
            return null;
        }
        String encoded = secret.strip();
        if (encoded.startsWith(SECRET_PREFIX)) {
            encoded = encoded.substring(SECRET_PREFIX.length());
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException notBase64) {
            raw = null;
        }
        if (raw == null || raw.length == 0) {
            throw new IllegalArgumentException(setting + " is not whsec_ followed by base64");
        }
        return raw;
    }

    /** {@code id "." timestamp "." body}; id and timestamp as UTF-8 (they are ASCII once validated). */
    public static byte[] signedContent(String id, String timestamp, byte[] body) {
        byte[] head = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[head.length + body.length];
        System.arraycopy(head, 0, content, 0, head.length);
        System.arraycopy(body, 0, content, head.length, body.length);
        return content;
    }

    /** HMAC-SHA256 of {@code content} with the key bytes {@code key}. */
    public static byte[] hmac(byte[] key, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
        }
    }
}
