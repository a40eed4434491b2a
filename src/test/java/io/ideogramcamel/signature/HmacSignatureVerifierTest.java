package io.ideogramcamel.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.ideogramcamel.webhook.WebhookRejectedException;
import io.ideogramcamel.webhook.WebhookRejection;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HmacSignatureVerifierTest {

    private static final long NOW = 1_800_000_000L;
    private static final String SECRET = "seed-001-secret";
    private static final String SIGNATURE_HEADER = "X-Ideogram-Signature";
    private static final String TIMESTAMP_HEADER = "X-Ideogram-Timestamp";
    private static final byte[] BODY = "{\"generation_id\":\"g1\",\"note\":\"café\"}".getBytes(StandardCharsets.UTF_8);
    /** HMAC-SHA256(SECRET, "1800000000." + BODY), computed outside Java (Python's hmac module). */
    private static final String KNOWN_SIGNATURE = "843a817b0074d8c91f23de168425f794e43e630c7064924ae85593e1f046913f";

    private static CamelContext camel;

    private HmacSignatureVerifier verifier;

    @BeforeAll
    static void camel() {
        camel = new DefaultCamelContext();
    }

    @AfterAll
    static void stopCamel() throws Exception {
        camel.close();
    }

    @BeforeEach
    void verifier() {
        verifier = new HmacSignatureVerifier();
        verifier.setSecret(SECRET);
        verifier.setClock(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
    }

    @Test
    void acceptsAKnownSignature() throws Exception {
        Exchange exchange = exchange(BODY, Long.toString(NOW), KNOWN_SIGNATURE);
        verifier.process(exchange);
        assertThat(exchange.getMessage().getBody(byte[].class)).isEqualTo(BODY);
        assertThat(verifier.isConfigured()).isTrue();
    }

    @Test
    void signsTheTimestampAsSentAndTheRawBody() throws Exception {
        verifier.process(exchange(BODY, Long.toString(NOW), sign(SECRET, Long.toString(NOW), BODY)));
        byte[] empty = new byte[0];
        verifier.process(exchange(null, Long.toString(NOW), sign(SECRET, Long.toString(NOW), empty)));
        // leading zeros are part of the signed text: the value is the same, the signature is not
        String padded = "0" + NOW;
        verifier.process(exchange(BODY, padded, sign(SECRET, padded, BODY)));
        assertThat(rejection(exchange(BODY, padded, KNOWN_SIGNATURE))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
    }

    @Test
    void leavesAStreamBodyReadableForTheNextStep() throws Exception {
        Exchange exchange = exchange(null, Long.toString(NOW), KNOWN_SIGNATURE);
        exchange.getMessage().setBody(new ByteArrayInputStream(BODY));
        verifier.process(exchange);
        assertThat(exchange.getMessage().getBody(byte[].class)).isEqualTo(BODY);
    }

    @Test
    void refusesATamperedBodyAWrongSecretOrAnotherTimestamp() {
        byte[] tampered = BODY.clone();
        tampered[tampered.length - 2] ^= 1;
        assertThat(rejection(exchange(tampered, Long.toString(NOW), KNOWN_SIGNATURE))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        assertThat(rejection(exchange(BODY, Long.toString(NOW), sign("another-secret", Long.toString(NOW), BODY))))
                .isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        assertThat(rejection(exchange(BODY, Long.toString(NOW - 1), KNOWN_SIGNATURE))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
    }

    @Test
    void refusesTimestampsOutsideTheToleranceEitherWay() throws Exception {
        for (long at : new long[] {NOW - 300, NOW + 300}) {
            verifier.process(exchange(BODY, Long.toString(at), sign(SECRET, Long.toString(at), BODY)));
        }
        for (long at : new long[] {NOW - 301, NOW + 301, 0}) {
            assertThat(rejection(exchange(BODY, Long.toString(at), sign(SECRET, Long.toString(at), BODY))))
                    .isEqualTo(WebhookRejection.STALE_TIMESTAMP);
        }
        verifier.setToleranceSeconds(10);
        long at = NOW - 11;
        assertThat(rejection(exchange(BODY, Long.toString(at), sign(SECRET, Long.toString(at), BODY))))
                .isEqualTo(WebhookRejection.STALE_TIMESTAMP);
    }

    @Test
    void refusesMissingHeaders() {
        assertThat(rejection(exchange(BODY, null, KNOWN_SIGNATURE))).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);
        assertThat(rejection(exchange(BODY, Long.toString(NOW), null))).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);
        assertThat(rejection(exchange(BODY, "", ""))).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);
    }

    @Test
    void takesTheSignatureAsSixtyFourLowercaseHexDigitsOnly() {
        String now = Long.toString(NOW);
        for (String signature : new String[] {KNOWN_SIGNATURE.toUpperCase(), "sha256=" + KNOWN_SIGNATURE,
                KNOWN_SIGNATURE.substring(1), KNOWN_SIGNATURE + "0", " " + KNOWN_SIGNATURE.substring(1),
                KNOWN_SIGNATURE.substring(0, 63) + "g"}) {
            assertThat(rejection(exchange(BODY, now, signature))).as(signature).isEqualTo(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
        }
        for (String timestamp : new String[] {"-1", "1.8e9", " 1800000000", "18000000000000"}) {
            assertThat(rejection(exchange(BODY, timestamp, KNOWN_SIGNATURE))).as(timestamp)
                    .isEqualTo(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
        }
    }

    @Test
    void refusesEverythingWithoutASecret() {
        for (String blank : new String[] {null, "", "   "}) {
            HmacSignatureVerifier unset = new HmacSignatureVerifier();
            unset.setClock(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
            unset.setSecret(blank);
            assertThat(unset.isConfigured()).isFalse();
            String now = Long.toString(NOW);
            assertThat(rejection(unset, exchange(BODY, now, sign(blank == null ? "x" : blank, now, BODY))))
                    .isEqualTo(WebhookRejection.INVALID_SIGNATURE);
            assertThat(rejection(unset, exchange(BODY, null, null))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        }
        verifier.setSecret(" ");
        assertThat(verifier.isConfigured()).isFalse();
    }

    @Test
    void headerNamesAreSettable() throws Exception {
        verifier.setSignatureHeader("X-Other-Signature");
        verifier.setTimestampHeader("X-Other-Timestamp");
        Exchange exchange = exchange(BODY, null, null);
        exchange.getMessage().setHeader("X-Other-Signature", KNOWN_SIGNATURE);
        exchange.getMessage().setHeader("X-Other-Timestamp", Long.toString(NOW));
        verifier.process(exchange);
        assertThat(rejection(exchange(BODY, Long.toString(NOW), KNOWN_SIGNATURE))).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);
    }

    @Test
    void theRefusalCarriesOnlyTheFixedReason() {
        Throwable thrown = catchThrowable(() -> verifier.process(exchange(BODY, Long.toString(NOW), KNOWN_SIGNATURE.replace('8', '9'))));
        assertThat(thrown).isInstanceOf(WebhookRejectedException.class).hasMessage("invalid_signature").hasNoCause();
        assertThat(thrown.getMessage()).doesNotContain(SECRET).doesNotContain(KNOWN_SIGNATURE.substring(0, 8));
    }

    private Exchange exchange(byte[] body, String timestamp, String signature) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(body);
        if (timestamp != null) {
            exchange.getMessage().setHeader(TIMESTAMP_HEADER, timestamp);
        }
        if (signature != null) {
            exchange.getMessage().setHeader(SIGNATURE_HEADER, signature);
        }
        return exchange;
    }

    private WebhookRejection rejection(Exchange exchange) {
        return rejection(verifier, exchange);
    }

    private static WebhookRejection rejection(HmacSignatureVerifier verifier, Exchange exchange) {
        Throwable thrown = catchThrowable(() -> verifier.process(exchange));
        assertThat(thrown).isInstanceOf(WebhookRejectedException.class);
        return ((WebhookRejectedException) thrown).getRejection();
    }

    /** An independent signer (javax.crypto directly), not the verifier's own code. */
    static String sign(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            byte[] key = secret.getBytes(StandardCharsets.UTF_8);
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
