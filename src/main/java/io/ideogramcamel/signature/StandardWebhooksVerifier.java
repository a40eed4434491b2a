package io.ideogramcamel.signature;

import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.StandardWebhooksSignature;
import io.ideogramcamel.webhook.WebhookRejectedException;
import io.ideogramcamel.webhook.WebhookRejection;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies a delivery signed by the Standard Webhooks scheme (standardwebhooks.com; Replicate, Svix
 * and others send it), so any such sender needs configuration only. Signed content is
 * {@code webhook-id "." webhook-timestamp "." raw body}; {@code webhook-signature} is a
 * space-separated list of {@code v1,<base64 HMAC-SHA256>} (keyed with the bytes of a
 * {@code whsec_<base64>} secret) and {@code v1a,<base64 Ed25519 signature>} (checked with a
 * {@code whpk_<base64>} public key) entries, and any one that verifies is enough: a sender rotating
 * its secret signs with both for a while, and {@code previousSecret} covers our side of a rotation.
 * Unknown versions are skipped, as the spec asks, so a sender adding a scheme breaks nothing.
 * <p>
 * The timestamp must lie within toleranceSeconds of now either way (replays). The body is signed as
 * the raw bytes received; the reference libraries sign the body's UTF-8 text, which is the same
 * bytes for any valid UTF-8 body (JSON always is). On success the webhook-id becomes the exchange
 * property {@link GenerationExchange#DELIVERY_ID}, the sender's key for deduplicating redeliveries.
 * Without a secret or public key every delivery is refused. Any failure is a
 * {@link WebhookRejectedException} carrying only a fixed reason.
 */
public class StandardWebhooksVerifier implements Processor {

    public static final String ID_HEADER = StandardWebhooksSignature.ID_HEADER;
    public static final String TIMESTAMP_HEADER = StandardWebhooksSignature.TIMESTAMP_HEADER;
    public static final String SIGNATURE_HEADER = StandardWebhooksSignature.SIGNATURE_HEADER;

    static final int MAX_ID_LENGTH = 256;
    /**
     * Entries looked at in one header. Each v1a entry costs an Ed25519 verify, so a header stuffed
     * with entries is refused rather than worked through; real senders send one to three.
     */
    static final int MAX_SIGNATURES = 16;

    private static final String PUBLIC_KEY_PREFIX = "whpk_";
    private static final int ED25519_SIGNATURE_SIZE = 64;
    private static final Logger LOG = LoggerFactory.getLogger(StandardWebhooksVerifier.class);

    private final AtomicBoolean unconfiguredLogged = new AtomicBoolean();
    private Clock clock = Clock.systemUTC();
    private volatile byte[] secret;
    private volatile byte[] previousSecret;
    private volatile Ed25519PublicKeyParameters publicKey;
    private long toleranceSeconds = 300;

    /**
     * The HMAC secret, {@code whsec_<base64>} or the bare base64; null or blank unsets it. A value
     * that is not base64 fails here (at start-up), naming the setting but never the value.
     */
    public void setSecret(String secret) {
        this.secret = StandardWebhooksSignature.secretBytes(secret, "secret");
    }

    /** The secret being rotated out, accepted next to {@link #setSecret(String)} until removed. */
    public void setPreviousSecret(String previousSecret) {
        this.previousSecret = StandardWebhooksSignature.secretBytes(previousSecret, "previousSecret");
    }

    /** The Ed25519 public key for v1a entries, {@code whpk_<base64 of the 32 key bytes>}; null or blank unsets it. */
    public void setPublicKey(String publicKey) {
        if (publicKey == null || publicKey.isBlank()) {
            this.publicKey = null;
            return;
        }
        byte[] raw = decodeBase64(strip(publicKey.strip(), PUBLIC_KEY_PREFIX));
        if (raw == null || raw.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            throw new IllegalArgumentException("publicKey is not whpk_ followed by the base64 of 32 bytes");
        }
        try {
            this.publicKey = new Ed25519PublicKeyParameters(raw);
        } catch (IllegalArgumentException notAPoint) {
            throw new IllegalArgumentException("publicKey is not a valid Ed25519 public key", null);
        }
    }

    public void setToleranceSeconds(long toleranceSeconds) {
        this.toleranceSeconds = toleranceSeconds;
    }

    /** For tests: the clock the timestamp is judged against. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /** True when a secret or a public key is set; otherwise every delivery is refused. */
    public boolean isConfigured() {
        return secret != null || previousSecret != null || publicKey != null;
    }

    @Override
    public void process(Exchange exchange) {
        List<byte[]> secrets = new ArrayList<>(2);
        byte[] current = secret;
        byte[] previous = previousSecret;
        if (current != null) {
            secrets.add(current);
        }
        if (previous != null) {
            secrets.add(previous);
        }
        Ed25519PublicKeyParameters edKey = publicKey;
        if (secrets.isEmpty() && edKey == null) {
            if (unconfiguredLogged.compareAndSet(false, true)) {
                LOG.warn("StandardWebhooksVerifier has no secret or public key set; every delivery is refused");
            }
            throw new WebhookRejectedException(WebhookRejection.INVALID_SIGNATURE);
        }
        Message in = exchange.getMessage();
        String id = in.getHeader(ID_HEADER, String.class);
        String timestamp = in.getHeader(TIMESTAMP_HEADER, String.class);
        String signatures = in.getHeader(SIGNATURE_HEADER, String.class);
        if (isEmpty(id) || isEmpty(timestamp) || isEmpty(signatures)) {
            throw new WebhookRejectedException(WebhookRejection.MISSING_SIGNATURE_HEADERS);
        }
        String[] entries = signatures.strip().split(" +");
        if (!isValidId(id) || !Ed25519WebhookVerifier.isDigits(timestamp) || entries.length > MAX_SIGNATURES) {
            throw new WebhookRejectedException(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
        }
        // Cheap refusals before reading the body.
        if (Math.abs(Long.parseLong(timestamp) - Math.floorDiv(clock.millis(), 1000L)) > toleranceSeconds) {
            throw new WebhookRejectedException(WebhookRejection.STALE_TIMESTAMP);
        }
        byte[] content = StandardWebhooksSignature.signedContent(id, timestamp, RawBody.of(in));
        if (!anyVerifies(entries, content, secrets, edKey)) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_SIGNATURE);
        }
        exchange.setProperty(GenerationExchange.DELIVERY_ID, id);
    }

    private static boolean anyVerifies(String[] entries, byte[] content, List<byte[]> secrets,
            Ed25519PublicKeyParameters edKey) {
        List<byte[]> macs = new ArrayList<>(secrets.size());
        for (byte[] key : secrets) {
            macs.add(StandardWebhooksSignature.hmac(key, content));
        }
        for (String entry : entries) {
            int comma = entry.indexOf(',');
            if (comma < 0) {
                continue;
            }
            String version = entry.substring(0, comma);
            if (version.equals("v1") && !macs.isEmpty()) {
                byte[] signature = decodeBase64(entry.substring(comma + 1));
                if (signature != null) {
                    for (byte[] mac : macs) {
                        if (MessageDigest.isEqual(mac, signature)) {
                            return true;
                        }
                    }
                }
            } else if (version.equals("v1a") && edKey != null) {
                byte[] signature = decodeBase64(entry.substring(comma + 1));
                if (signature != null && signature.length == ED25519_SIGNATURE_SIZE && ed25519Verifies(edKey, content, signature)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean ed25519Verifies(Ed25519PublicKeyParameters key, byte[] content, byte[] signature) {
        try {
            Ed25519Signer signer = new Ed25519Signer();
            signer.init(false, key);
            signer.update(content, 0, content.length);
            return signer.verifySignature(signature);
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    private static String strip(String value, String prefix) {
        return value.startsWith(prefix) ? value.substring(prefix.length()) : value;
    }

    /** Standard base64 with padding, or null when it is not. */
    private static byte[] decodeBase64(String value) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    /** At most 256 characters of {@code [A-Za-z0-9._:-]}. */
    static boolean isValidId(String id) {
        if (id.length() > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }
}
