package io.ideogramcamel.signature;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.List;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.GenerationKey;
import io.ideogramcamel.UrlSafeBase64;
import io.ideogramcamel.webhook.WebhookRejectedException;
import io.ideogramcamel.webhook.WebhookRejection;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Verifies one webhook delivery: an Ed25519 signature over
 * {@code id \n user \n timestamp \n sha256_hex(raw body)}, made by a key from the JWKS. Header
 * names are settable, so fal.ai's identical scheme needs configuration only. On success the
 * signed id becomes the exchange property named by {@link #setIdProperty} (Ideogram's generation
 * id: {@link GenerationExchange#GENERATION_ID}) and the signed user id
 * {@link GenerationExchange#SIGNED_USER_ID}; any failure is a {@link WebhookRejectedException}
 * carrying only a fixed reason.
 */
public class Ed25519WebhookVerifier implements Processor {

    static final int MAX_TIMESTAMP_DIGITS = 12;
    static final int SIGNATURE_HEX_LENGTH = 2 * Ed25519.SIGNATURE_SIZE;
    static final int MAX_KEY_ID_LENGTH = 128;
    static final int MAX_USER_ID_LENGTH = 256;

    /** Ideogram's ids: URL-safe base64, id and user alike. */
    public static final String IDS_URL_SAFE_BASE64 = "url-safe-base64";
    /**
     * Another provider's ids (fal's request id is a UUID): the id as {@link GenerationKey#isValidId},
     * the user id any visible ASCII (it is signed and only compared, never a key or a path).
     */
    public static final String IDS_PROVIDER = "provider";

    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    // A MessageDigest is not thread-safe and getInstance() costs a provider lookup per call.
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    });

    private final Clock clock;
    private JwksKeySource keySource;
    private long toleranceSeconds = 300;
    private String generationIdHeader = "X-Ideogram-Webhook-Generation-Id";
    private String userIdHeader = "X-Ideogram-Webhook-User-Id";
    private String timestampHeader = "X-Ideogram-Webhook-Timestamp";
    private String keyIdHeader = "X-Ideogram-Webhook-Key-Id";
    private String signatureHeader = "X-Ideogram-Webhook-Signature";
    private String idProperty = GenerationExchange.GENERATION_ID;
    private boolean providerIds;

    public Ed25519WebhookVerifier() {
        this(Clock.systemUTC());
    }

    Ed25519WebhookVerifier(Clock clock) {
        this.clock = clock;
    }

    public void setKeySource(JwksKeySource keySource) {
        this.keySource = keySource;
    }

    public void setToleranceSeconds(long toleranceSeconds) {
        this.toleranceSeconds = toleranceSeconds;
    }

    public void setGenerationIdHeader(String generationIdHeader) {
        this.generationIdHeader = generationIdHeader;
    }

    public void setUserIdHeader(String userIdHeader) {
        this.userIdHeader = userIdHeader;
    }

    public void setTimestampHeader(String timestampHeader) {
        this.timestampHeader = timestampHeader;
    }

    /** Empty or null: the sender names no key (fal), so every key is tried. */
    public void setKeyIdHeader(String keyIdHeader) {
        this.keyIdHeader = keyIdHeader == null || keyIdHeader.isBlank() ? null : keyIdHeader;
    }

    public void setSignatureHeader(String signatureHeader) {
        this.signatureHeader = signatureHeader;
    }

    /**
     * The exchange property the verified id is put in: Ideogram's id is the store key itself
     * ({@link GenerationExchange#GENERATION_ID}, the default); another provider's becomes a key only
     * once its body is read ({@link GenerationExchange#SIGNED_ID}).
     */
    public void setIdProperty(String idProperty) {
        this.idProperty = idProperty;
    }

    /** {@link #IDS_URL_SAFE_BASE64} (Ideogram, the default) or {@link #IDS_PROVIDER}. */
    public void setIdFormat(String idFormat) {
        if (IDS_URL_SAFE_BASE64.equals(idFormat)) {
            providerIds = false;
        } else if (IDS_PROVIDER.equals(idFormat)) {
            providerIds = true;
        } else {
            throw new IllegalArgumentException("idFormat must be " + IDS_URL_SAFE_BASE64 + " or " + IDS_PROVIDER);
        }
    }

    @Override
    public void process(Exchange exchange) {
        if (keySource == null) {
            throw new IllegalStateException("keySource is not set");
        }
        Message in = exchange.getMessage();
        String id = in.getHeader(generationIdHeader, String.class);
        String user = in.getHeader(userIdHeader, String.class);
        String timestamp = in.getHeader(timestampHeader, String.class);
        String signatureHex = in.getHeader(signatureHeader, String.class);
        if (isEmpty(id) || isEmpty(user) || isEmpty(timestamp) || isEmpty(signatureHex)) {
            throw new WebhookRejectedException(WebhookRejection.MISSING_SIGNATURE_HEADERS);
        }
        byte[] signature = signatureHex.length() == SIGNATURE_HEX_LENGTH ? decodeHex(signatureHex) : null;
        if (signature == null || !validIds(id, user) || !isDigits(timestamp)) {
            throw new WebhookRejectedException(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
        }
        // Cheap refusals before hashing the body or touching a key.
        if (Math.abs(Long.parseLong(timestamp) - Math.floorDiv(clock.millis(), 1000L)) > toleranceSeconds) {
            throw new WebhookRejectedException(WebhookRejection.STALE_TIMESTAMP);
        }
        byte[] message = signedMessage(id, user, timestamp, RawBody.of(in));
        verify(keyIdHeader == null ? null : keyIdHint(in.getHeader(keyIdHeader, String.class)), message, signature);
        exchange.setProperty(idProperty, id);
        // always under its own name too, for the lines that name a delivery before its body is read
        exchange.setProperty(GenerationExchange.SIGNED_ID, id);
        exchange.setProperty(GenerationExchange.SIGNED_USER_ID, user);
    }

    /** Both become part of the signed message as one byte per char, so both must be ASCII. */
    private boolean validIds(String id, String user) {
        if (!providerIds) {
            return UrlSafeBase64.isValid(id) && UrlSafeBase64.isValid(user);
        }
        return GenerationKey.isValidId(id) && isVisibleAscii(user, MAX_USER_ID_LENGTH);
    }

    static boolean isVisibleAscii(String value, int maxLength) {
        if (value.isEmpty() || value.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private void verify(String kid, byte[] message, byte[] signature) {
        List<WebhookPublicKey> keys = keySource.keys();
        if (anyVerifies(keys, null, kid, message, signature)) {
            return;
        }
        List<WebhookPublicKey> refreshed = keySource.refreshAfterMiss(keys);
        if (refreshed != keys && anyVerifies(refreshed, keys, kid, message, signature)) {
            return;
        }
        // KEYS_UNAVAILABLE: we hold no key at all, so cannot judge; the sender should retry.
        // UNKNOWN_KEY: the kid the sender named is not among ours (a rotation we cannot see yet,
        // or a forger's own key). INVALID_SIGNATURE otherwise: the named key, or with no usable
        // kid every key, was tried and rejected the signature.
        if (refreshed.isEmpty()) {
            throw new WebhookRejectedException(WebhookRejection.KEYS_UNAVAILABLE);
        }
        boolean kidKnown = kid == null || refreshed.stream().anyMatch(key -> kid.equals(key.kid()));
        throw new WebhookRejectedException(kidKnown ? WebhookRejection.INVALID_SIGNATURE : WebhookRejection.UNKNOWN_KEY);
    }

    /** Tries the kid's key first, then the others; keys also in {@code alreadyTried} are skipped. */
    private static boolean anyVerifies(List<WebhookPublicKey> keys, List<WebhookPublicKey> alreadyTried,
            String kid, byte[] message, byte[] signature) {
        if (kid != null) {
            for (WebhookPublicKey key : keys) {
                if (kid.equals(key.kid()) && !tried(key, alreadyTried) && verifies(key, message, signature)) {
                    return true;
                }
            }
        }
        for (WebhookPublicKey key : keys) {
            if ((kid == null || !kid.equals(key.kid())) && !tried(key, alreadyTried) && verifies(key, message, signature)) {
                return true;
            }
        }
        return false;
    }

    private static boolean tried(WebhookPublicKey key, List<WebhookPublicKey> alreadyTried) {
        if (alreadyTried != null) {
            for (WebhookPublicKey seen : alreadyTried) {
                if (seen.sameKeyAs(key)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean verifies(WebhookPublicKey key, byte[] message, byte[] signature) {
        if (signature.length != Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        try {
            return Ed25519.verify(signature, 0, key.point(), message, 0, message.length);
        } catch (RuntimeException malformed) {
            // BouncyCastle returns false for an R off the curve; other libraries throw. Either way
            // it is a bad signature, never a 500.
            return false;
        }
    }

    /** The raw RFC 8032 check, without precomputation: for tests and for keys held as bytes. */
    static boolean verifies(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey.length != Ed25519.PUBLIC_KEY_SIZE || signature.length != Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        try {
            return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    /** id, user and timestamp are validated ASCII by now, so each char is one UTF-8 byte. */
    static byte[] signedMessage(String id, String user, String timestamp, byte[] body) {
        byte[] digest = SHA256.get().digest(body);
        byte[] message = new byte[id.length() + user.length() + timestamp.length() + 3 + 2 * digest.length];
        int at = putAscii(id, message, 0);
        message[at++] = '\n';
        at = putAscii(user, message, at);
        message[at++] = '\n';
        at = putAscii(timestamp, message, at);
        message[at++] = '\n';
        for (byte b : digest) {
            message[at++] = HEX[(b >> 4) & 0xf];
            message[at++] = HEX[b & 0xf];
        }
        return message;
    }

    private static int putAscii(String value, byte[] into, int at) {
        for (int i = 0; i < value.length(); i++) {
            into[at++] = (byte) value.charAt(i);
        }
        return at;
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }

    static boolean isDigits(String value) {
        int length = value.length();
        if (length == 0 || length > MAX_TIMESTAMP_DIGITS) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * The kid is only a hint (every key is tried anyway), so a missing, empty, over-long or
     * non-printable one is ignored rather than refused: refusing it would add a failure mode and
     * no security.
     */
    static String keyIdHint(String kid) {
        if (kid == null || kid.isEmpty() || kid.length() > MAX_KEY_ID_LENGTH) {
            return null;
        }
        for (int i = 0; i < kid.length(); i++) {
            char c = kid.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return null;
            }
        }
        return kid;
    }

    /** The bytes of an even-length hex string in either case, or null on any other character. */
    static byte[] decodeHex(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int high = nibble(hex.charAt(2 * i));
            int low = nibble(hex.charAt(2 * i + 1));
            if ((high | low) < 0) {
                return null;
            }
            out[i] = (byte) ((high << 4) | low);
        }
        return (hex.length() & 1) == 0 ? out : null;
    }

    private static int nibble(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
