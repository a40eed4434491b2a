package io.ideogramcamel.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.StandardWebhooksSignature;
import io.ideogramcamel.testing.StandardWebhooksJs;
import io.ideogramcamel.webhook.WebhookRejectedException;
import io.ideogramcamel.webhook.WebhookRejection;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Signatures are made by the reference npm package (see {@link StandardWebhooksJs}), not by the code
 * under test, except where the npm package is the one checking ours.
 */
class StandardWebhooksVerifierTest {

    private static final long NOW = 1_800_000_000L;
    private static final String ID = "msg_2mZ1xK9:delivery-1.a";
    private static final byte[] BODY = "{\"id\":\"p-1\",\"status\":\"succeeded\",\"output\":[\"https://x/é.png\"]}"
            .getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static CamelContext camel;

    private final String secret = newSecret();
    private StandardWebhooksVerifier verifier;

    @BeforeAll
    static void camel() {
        camel = new DefaultCamelContext();
        // started, as in the bundle: only then are message headers Camel's case-insensitive map
        camel.start();
        StandardWebhooksJs.install();
    }

    @AfterAll
    static void stopCamel() throws Exception {
        camel.close();
    }

    @BeforeEach
    void verifier() {
        verifier = newVerifier();
        verifier.setSecret(secret);
    }

    @Test
    void acceptsTheSpecsPublishedExample() throws Exception {
        // the example of the Standard Webhooks / Svix documentation
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        String signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        assertThat(StandardWebhooksJs.sign(secret, id, 1614265330L, body)).isEqualTo(signature);
        verifier.setSecret(secret);
        verifier.setClock(Clock.fixed(Instant.ofEpochSecond(1614265330L), ZoneOffset.UTC));
        Exchange exchange = exchange(id, "1614265330", signature, body);
        verifier.process(exchange);
        assertThat(exchange.getProperty(GenerationExchange.DELIVERY_ID)).isEqualTo(id);
    }

    @Test
    void acceptsWhatTheReferenceLibrarySigns() throws Exception {
        for (byte[] body : new byte[][] {BODY, new byte[0], "[]".getBytes(StandardCharsets.UTF_8)}) {
            Exchange exchange = exchange(ID, Long.toString(NOW), StandardWebhooksJs.sign(secret, ID, NOW, body), body);
            verifier.process(exchange);
            assertThat(exchange.getProperty(GenerationExchange.DELIVERY_ID)).isEqualTo(ID);
            assertThat(exchange.getMessage().getBody(byte[].class)).isEqualTo(body);
        }
    }

    @Test
    void takesASecretWithoutThePrefixAsBase64() throws Exception {
        verifier.setSecret(secret.substring("whsec_".length()));
        verifier.process(exchange(ID, Long.toString(NOW), StandardWebhooksJs.sign(secret, ID, NOW, BODY), BODY));
    }

    @Test
    void refusesATamperedBodyIdOrTimestampAndAWrongSecret() {
        String signature = StandardWebhooksJs.sign(secret, ID, NOW, BODY);
        byte[] tampered = BODY.clone();
        tampered[5] ^= 1;
        assertThat(rejection(exchange(ID, Long.toString(NOW), signature, tampered))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        assertThat(rejection(exchange(ID + "x", Long.toString(NOW), signature, BODY))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        assertThat(rejection(exchange(ID, Long.toString(NOW + 1), signature, BODY))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        String wrong = StandardWebhooksJs.sign(newSecret(), ID, NOW, BODY);
        assertThat(rejection(exchange(ID, Long.toString(NOW), wrong, BODY))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
    }

    @Test
    void refusesTimestampsOutsideTheToleranceEitherWay() throws Exception {
        for (long at : new long[] {NOW - 300, NOW + 300}) {
            verifier.process(exchange(ID, Long.toString(at), StandardWebhooksJs.sign(secret, ID, at, BODY), BODY));
        }
        for (long at : new long[] {NOW - 301, NOW + 301}) {
            assertThat(rejection(exchange(ID, Long.toString(at), StandardWebhooksJs.sign(secret, ID, at, BODY), BODY)))
                    .isEqualTo(WebhookRejection.STALE_TIMESTAMP);
        }
    }

    @Test
    void refusesMissingHeaders() {
        String signature = StandardWebhooksJs.sign(secret, ID, NOW, BODY);
        assertThat(rejection(exchange(null, Long.toString(NOW), signature, BODY))).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);
        assertThat(rejection(exchange(ID, null, signature, BODY))).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);
        assertThat(rejection(exchange(ID, Long.toString(NOW), null, BODY))).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);
        assertThat(rejection(exchange(ID, Long.toString(NOW), "", BODY))).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);
    }

    @Test
    void refusesMalformedIdsAndTimestamps() throws Exception {
        String now = Long.toString(NOW);
        String longest = "a".repeat(StandardWebhooksVerifier.MAX_ID_LENGTH);
        verifier.process(exchange(longest, now, StandardWebhooksJs.sign(secret, longest, NOW, BODY), BODY));
        for (String id : new String[] {longest + "a", "msg 1", "msg/1", "msg,1", "mség"}) {
            assertThat(rejection(exchange(id, now, "v1,AAAA", BODY))).as(id).isEqualTo(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
        }
        for (String timestamp : new String[] {"abc", "-1", "1800000000.5", "1e9"}) {
            assertThat(rejection(exchange(ID, timestamp, "v1,AAAA", BODY))).as(timestamp)
                    .isEqualTo(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
        }
    }

    @Test
    void anyOneMatchingEntryVerifiesAndUnknownVersionsAreSkipped() throws Exception {
        String good = StandardWebhooksJs.sign(secret, ID, NOW, BODY);
        String other = StandardWebhooksJs.sign(newSecret(), ID, NOW, BODY);
        String now = Long.toString(NOW);
        verifier.process(exchange(ID, now, other + " " + good, BODY));
        verifier.process(exchange(ID, now, "v2," + good.substring(3) + "  nonsense v1,!!notbase64 " + good, BODY));
        assertThat(rejection(exchange(ID, now, other + " v1a," + good.substring(3), BODY))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        // the right MAC under an unknown version does not count
        assertThat(rejection(exchange(ID, now, "v2," + good.substring(3), BODY))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        assertThat(rejection(exchange(ID, now, (other + " ").repeat(StandardWebhooksVerifier.MAX_SIGNATURES) + good, BODY)))
                .isEqualTo(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
    }

    @Test
    void acceptsThePreviousSecretDuringARotation() throws Exception {
        String next = newSecret();
        String third = newSecret();
        verifier.setSecret(next);
        verifier.setPreviousSecret(secret);
        String now = Long.toString(NOW);
        verifier.process(exchange(ID, now, StandardWebhooksJs.sign(secret, ID, NOW, BODY), BODY));
        verifier.process(exchange(ID, now, StandardWebhooksJs.sign(next, ID, NOW, BODY), BODY));
        assertThat(rejection(exchange(ID, now, StandardWebhooksJs.sign(third, ID, NOW, BODY), BODY)))
                .isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        verifier.setPreviousSecret(null);
        assertThat(rejection(exchange(ID, now, StandardWebhooksJs.sign(secret, ID, NOW, BODY), BODY)))
                .isEqualTo(WebhookRejection.INVALID_SIGNATURE);
    }

    @Test
    void verifiesEd25519EntriesWithThePublicKey() throws Exception {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(RANDOM));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        AsymmetricCipherKeyPair otherPair = generator.generateKeyPair();
        String whpk = "whpk_" + Base64.getEncoder().encodeToString(((Ed25519PublicKeyParameters) pair.getPublic()).getEncoded());
        String now = Long.toString(NOW);
        String v1a = "v1a," + ed25519(pair, ID + "." + now + ".", BODY);

        StandardWebhooksVerifier keyOnly = newVerifier();
        assertThat(keyOnly.isConfigured()).isFalse();
        keyOnly.setPublicKey(whpk);
        assertThat(keyOnly.isConfigured()).isTrue();
        Exchange exchange = exchange(ID, now, "v1,AAAA " + v1a, BODY);
        keyOnly.process(exchange);
        assertThat(exchange.getProperty(GenerationExchange.DELIVERY_ID)).isEqualTo(ID);

        byte[] tampered = BODY.clone();
        tampered[0] = ' ';
        assertThat(rejection(keyOnly, exchange(ID, now, v1a, tampered))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        String otherV1a = "v1a," + ed25519(otherPair, ID + "." + now + ".", BODY);
        assertThat(rejection(keyOnly, exchange(ID, now, otherV1a, BODY))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        // a v1 entry with the Ed25519 key's text means nothing; a verifier without the key skips v1a
        assertThat(rejection(keyOnly, exchange(ID, now, "v1," + v1a.substring(4), BODY))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        assertThat(rejection(exchange(ID, now, v1a, BODY))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);

        // both kinds side by side: either entry is enough
        verifier.setPublicKey(whpk);
        verifier.process(exchange(ID, now, v1a + " " + StandardWebhooksJs.sign(newSecret(), ID, NOW, BODY), BODY));
        verifier.process(exchange(ID, now, otherV1a + " " + StandardWebhooksJs.sign(secret, ID, NOW, BODY), BODY));
    }

    @Test
    void refusesEverythingWhenNothingIsConfigured() {
        StandardWebhooksVerifier unset = newVerifier();
        unset.setSecret("  ");
        unset.setPublicKey(null);
        assertThat(unset.isConfigured()).isFalse();
        assertThat(rejection(unset, exchange(ID, Long.toString(NOW), StandardWebhooksJs.sign(secret, ID, NOW, BODY), BODY)))
                .isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        assertThat(rejection(unset, exchange(null, null, null, BODY))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
    }

    @Test
    void badKeysFailAtConfigurationWithoutEchoingThem() {
        for (String bad : new String[] {"whsec_not base64!", "whsec_", "%%%"}) {
            Throwable thrown = catchThrowable(() -> newVerifier().setSecret(bad));
            assertThat(thrown).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("secret is not whsec_ followed by base64");
        }
        for (String bad : new String[] {"whpk_AAAA", "whpk_" + Base64.getEncoder().encodeToString(new byte[33]), "whpk_!!"}) {
            Throwable thrown = catchThrowable(() -> newVerifier().setPublicKey(bad));
            assertThat(thrown).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("publicKey is not whpk_ followed by the base64 of 32 bytes");
        }
    }

    @Test
    void theRefusalCarriesOnlyTheFixedReason() {
        Throwable thrown = catchThrowable(() -> verifier.process(exchange(ID, Long.toString(NOW), "v1,AAAA", BODY)));
        assertThat(thrown).isInstanceOf(WebhookRejectedException.class).hasMessage("invalid_signature").hasNoCause();
    }

    @Test
    void headerNamesAreMatchedInAnyCase() throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(BODY);
        exchange.getMessage().setHeader("Webhook-Id", ID);
        exchange.getMessage().setHeader("Webhook-Timestamp", Long.toString(NOW));
        exchange.getMessage().setHeader("WEBHOOK-SIGNATURE", StandardWebhooksJs.sign(secret, ID, NOW, BODY));
        verifier.process(exchange);
        assertThat(exchange.getProperty(GenerationExchange.DELIVERY_ID)).isEqualTo(ID);
    }

    @Test
    void theReferenceLibraryAcceptsOurSignature() {
        // the library judges the timestamp against the real clock
        long now = Instant.now().getEpochSecond();
        String signature = StandardWebhooksSignature.sign(StandardWebhooksSignature.secretBytes(secret, "secret"), ID, now, BODY);
        assertThat(signature).isEqualTo(StandardWebhooksJs.sign(secret, ID, now, BODY));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", ID);
        headers.put("webhook-timestamp", Long.toString(now));
        headers.put("webhook-signature", signature);
        assertThat(StandardWebhooksJs.verify(secret, headers, BODY)).isTrue();

        byte[] tampered = BODY.clone();
        tampered[3] ^= 1;
        assertThat(StandardWebhooksJs.verify(secret, headers, tampered)).isFalse();
        assertThat(StandardWebhooksJs.verify(newSecret(), headers, BODY)).isFalse();
    }

    private static StandardWebhooksVerifier newVerifier() {
        StandardWebhooksVerifier verifier = new StandardWebhooksVerifier();
        verifier.setClock(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
        return verifier;
    }

    private static String newSecret() {
        byte[] key = new byte[24];
        RANDOM.nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    private static String ed25519(AsymmetricCipherKeyPair pair, String head, byte[] body) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, pair.getPrivate());
        byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
        signer.update(headBytes, 0, headBytes.length);
        signer.update(body, 0, body.length);
        return Base64.getEncoder().encodeToString(signer.generateSignature());
    }

    private Exchange exchange(String id, String timestamp, String signature, byte[] body) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(body);
        if (id != null) {
            exchange.getMessage().setHeader("webhook-id", id);
        }
        if (timestamp != null) {
            exchange.getMessage().setHeader("webhook-timestamp", timestamp);
        }
        if (signature != null) {
            exchange.getMessage().setHeader("webhook-signature", signature);
        }
        return exchange;
    }

    private WebhookRejection rejection(Exchange exchange) {
        return rejection(verifier, exchange);
    }

    private static WebhookRejection rejection(StandardWebhooksVerifier verifier, Exchange exchange) {
        Throwable thrown = catchThrowable(() -> verifier.process(exchange));
        assertThat(thrown).isInstanceOf(WebhookRejectedException.class);
        return ((WebhookRejectedException) thrown).getRejection();
    }
}
