package io.ideogramcamel.signature;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.ideogramcamel.webhook.WebhookRejectedException;
import io.ideogramcamel.webhook.WebhookRejection;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies a delivery signed with a shared secret (the "seed 001" scheme): the signature header is
 * the lowercase hex HMAC-SHA256, keyed with the secret's UTF-8 bytes, of the timestamp header's text
 * exactly as sent, a dot, then the raw body bytes; the timestamp is Unix seconds and must lie within
 * toleranceSeconds of now either way, so a captured delivery cannot be replayed later. The hex is
 * taken in one form only (64 lowercase digits, no {@code sha256=} prefix): one accepted spelling
 * leaves nothing to normalise. Without a secret every delivery is refused (an unset secret must
 * never mean "accept"), and {@link #isConfigured()} says so. Any failure is a
 * {@link WebhookRejectedException} carrying only a fixed reason.
 */
public class HmacSignatureVerifier implements Processor {

    static final int SIGNATURE_HEX_LENGTH = 64;

    private static final Logger LOG = LoggerFactory.getLogger(HmacSignatureVerifier.class);

    private final AtomicBoolean unconfiguredLogged = new AtomicBoolean();
    private Clock clock = Clock.systemUTC();
    private volatile SecretKeySpec key;
    private long toleranceSeconds = 300;
    private String signatureHeader = "X-Ideogram-Signature";
    private String timestampHeader = "X-Ideogram-Timestamp";

    /** The shared secret, as text (its UTF-8 bytes are the key); null or blank leaves the verifier refusing all. */
    public void setSecret(String secret) {
        this.key = secret == null || secret.isBlank()
                ? null : new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public void setSignatureHeader(String signatureHeader) {
        this.signatureHeader = signatureHeader;
    }

    public void setTimestampHeader(String timestampHeader) {
        this.timestampHeader = timestampHeader;
    }

    public void setToleranceSeconds(long toleranceSeconds) {
        this.toleranceSeconds = toleranceSeconds;
    }

    /** For tests: the clock the timestamp is judged against. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /** False while no secret is set: then every delivery is refused. */
    public boolean isConfigured() {
        return key != null;
    }

    @Override
    public void process(Exchange exchange) {
        SecretKeySpec secret = key;
        if (secret == null) {
            if (unconfiguredLogged.compareAndSet(false, true)) {
                LOG.warn("HmacSignatureVerifier has no secret set; every delivery is refused");
            }
            throw new WebhookRejectedException(WebhookRejection.INVALID_SIGNATURE);
        }
        Message in = exchange.getMessage();
        String timestamp = in.getHeader(timestampHeader, String.class);
        String signatureHex = in.getHeader(signatureHeader, String.class);
        if (isEmpty(timestamp) || isEmpty(signatureHex)) {
            throw new WebhookRejectedException(WebhookRejection.MISSING_SIGNATURE_HEADERS);
        }
        byte[] signature = decodeLowerHex(signatureHex);
        if (signature == null || !Ed25519WebhookVerifier.isDigits(timestamp)) {
            throw new WebhookRejectedException(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
        }
        // Cheap refusals before reading the body.
        if (Math.abs(Long.parseLong(timestamp) - Math.floorDiv(clock.millis(), 1000L)) > toleranceSeconds) {
            throw new WebhookRejectedException(WebhookRejection.STALE_TIMESTAMP);
        }
        byte[] expected = mac(secret, timestamp, RawBody.of(in));
        if (!MessageDigest.isEqual(expected, signature)) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_SIGNATURE);
        }
    }

    /** HMAC-SHA256 of {@code timestamp "." body}; the timestamp is validated ASCII digits by now. */
    static byte[] mac(SecretKeySpec key, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
        }
    }

    /** The 32 bytes of exactly 64 lowercase hex digits, or null for anything else. */
    static byte[] decodeLowerHex(String hex) {
        if (hex.length() != SIGNATURE_HEX_LENGTH) {
            return null;
        }
        byte[] out = new byte[SIGNATURE_HEX_LENGTH / 2];
        for (int i = 0; i < out.length; i++) {
            int high = lowerNibble(hex.charAt(2 * i));
            int low = lowerNibble(hex.charAt(2 * i + 1));
            if (high < 0 || low < 0) {
                return null;
            }
            out[i] = (byte) (high << 4 | low);
        }
        return out;
    }

    private static int lowerNibble(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }
}
