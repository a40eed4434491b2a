package io.ideogramcamel.signature;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** The bare Ed25519 check against RFC 8032 section 7.1 vectors, with and without the precomputed point. */
class Ed25519VerifiesTest {

    private static final HexFormat HEX = HexFormat.of();

    // RFC 8032 7.1 TEST 1: the empty message.
    private static final byte[] TEST1_KEY = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    private static final byte[] TEST1_SIG = HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

    // RFC 8032 7.1 TEST 2: the one-byte message 0x72.
    private static final byte[] TEST2_KEY = HEX.parseHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    private static final byte[] TEST2_MSG = HEX.parseHex("72");
    private static final byte[] TEST2_SIG = HEX.parseHex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    @Test
    void rfc8032Test1Verifies() {
        assertThat(Ed25519WebhookVerifier.verifies(TEST1_KEY, new byte[0], TEST1_SIG)).isTrue();
        assertThat(Ed25519WebhookVerifier.verifies(WebhookPublicKey.of("t1", TEST1_KEY), new byte[0], TEST1_SIG)).isTrue();
    }

    @Test
    void rfc8032Test2Verifies() {
        assertThat(Ed25519WebhookVerifier.verifies(TEST2_KEY, TEST2_MSG, TEST2_SIG)).isTrue();
        assertThat(Ed25519WebhookVerifier.verifies(WebhookPublicKey.of("t2", TEST2_KEY), TEST2_MSG, TEST2_SIG)).isTrue();
    }

    @Test
    void anyFlippedBitFails() {
        WebhookPublicKey key = WebhookPublicKey.of("t1", TEST1_KEY);
        for (int bit = 0; bit < TEST1_SIG.length * 8; bit++) {
            byte[] flipped = TEST1_SIG.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(Ed25519WebhookVerifier.verifies(TEST1_KEY, new byte[0], flipped)).as("bit %d", bit).isFalse();
            assertThat(Ed25519WebhookVerifier.verifies(key, new byte[0], flipped)).as("bit %d", bit).isFalse();
        }
        assertThat(Ed25519WebhookVerifier.verifies(key, "x".getBytes(StandardCharsets.UTF_8), TEST1_SIG)).isFalse();
        assertThat(Ed25519WebhookVerifier.verifies(TEST2_KEY, new byte[0], TEST1_SIG)).isFalse();
    }

    @Test
    void anROffTheCurveOrWrongLengthsAreFalseNotExceptions() {
        byte[] allOnes = new byte[64];
        Arrays.fill(allOnes, (byte) 0xff);
        byte[] rOffCurve = TEST1_SIG.clone();
        Arrays.fill(rOffCurve, 0, 32, (byte) 0xff);
        WebhookPublicKey key = WebhookPublicKey.of("t1", TEST1_KEY);

        for (byte[] signature : new byte[][] {allOnes, rOffCurve, new byte[64], new byte[63], new byte[65], new byte[0]}) {
            assertThat(Ed25519WebhookVerifier.verifies(TEST1_KEY, new byte[0], signature)).isFalse();
            assertThat(Ed25519WebhookVerifier.verifies(key, new byte[0], signature)).isFalse();
        }
        assertThat(Ed25519WebhookVerifier.verifies(new byte[31], new byte[0], TEST1_SIG)).isFalse();
    }

    @Test
    void keyBytesThatAreNotAPointAreRefused() {
        byte[] notAPoint = new byte[32];
        Arrays.fill(notAPoint, (byte) 0xff);
        assertThat(WebhookPublicKey.of("bad", notAPoint)).isNull();
        assertThat(WebhookPublicKey.of("short", new byte[31])).isNull();
        assertThat(WebhookPublicKey.of("t1", TEST1_KEY).x()).isEqualTo(TEST1_KEY);
        assertThat(WebhookPublicKey.of("t1", TEST1_KEY).toString()).doesNotContain(HEX.formatHex(TEST1_KEY));
    }
}
