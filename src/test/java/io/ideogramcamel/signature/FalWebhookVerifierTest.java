package io.ideogramcamel.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.webhook.WebhookRejectedException;
import io.ideogramcamel.webhook.WebhookRejection;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared verifier configured as routes/provider-fal.camel.yaml configures it: fal's header names,
 * no key-id header, the request id (a UUID) into signedId, the user id into signedUserId.
 */
class FalWebhookVerifierTest {

    private static final long NOW = 1_800_000_000L;
    private static final String REQUEST_ID = "123e4567-e89b-12d3-a456-426614174000";
    private static final String USER = "github|1234";
    private static final byte[] BODY = ("{\"request_id\":\"" + REQUEST_ID + "\",\"status\":\"OK\",\"payload\":{\"images\":[]}}")
            .getBytes(StandardCharsets.UTF_8);

    private static CamelContext camel;

    private JwksKeySourceTest.JwksServer jwks;
    private Ed25519WebhookVerifier verifier;

    @BeforeAll
    static void camel() {
        camel = new DefaultCamelContext();
    }

    @AfterAll
    static void stopCamel() throws Exception {
        camel.close();
    }

    @BeforeEach
    void start() throws IOException {
        jwks = new JwksKeySourceTest.JwksServer();
        jwks.addKey("fal-a");
        jwks.addKey("fal-b");
        JwksKeySource keys = new JwksKeySource();
        keys.setJwksUrl(jwks.url());
        verifier = new Ed25519WebhookVerifier(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
        verifier.setKeySource(keys);
        verifier.setGenerationIdHeader("X-Fal-Webhook-Request-Id");
        verifier.setUserIdHeader("X-Fal-Webhook-User-Id");
        verifier.setTimestampHeader("X-Fal-Webhook-Timestamp");
        verifier.setKeyIdHeader("");
        verifier.setSignatureHeader("X-Fal-Webhook-Signature");
        verifier.setIdProperty(GenerationExchange.SIGNED_ID);
        verifier.setIdFormat(Ed25519WebhookVerifier.IDS_PROVIDER);
    }

    @AfterEach
    void stop() {
        jwks.close();
    }

    @Test
    void aUuidRequestIdSignedByAnyPublishedKeyPassesWithoutAKeyId() {
        for (String kid : new String[] { "fal-a", "fal-b" }) {
            Exchange exchange = exchange(signed(REQUEST_ID, USER, NOW, jwks.privateKey(kid)), BODY);

            verifier.process(exchange);

            assertThat(exchange.getProperty(GenerationExchange.SIGNED_ID)).isEqualTo(REQUEST_ID);
            assertThat(exchange.getProperty(GenerationExchange.SIGNED_USER_ID)).isEqualTo(USER);
            // the key is made from the body, after the parser compares the two ids
            assertThat(exchange.getProperty(GenerationExchange.GENERATION_ID)).isNull();
        }
    }

    @Test
    void aKeyNotPublishedIsAnInvalidSignature() {
        assertThat(rejection(signed(REQUEST_ID, USER, NOW, JwksKeySourceTest.JwksServer.newPrivateKey()), BODY))
                .isEqualTo(WebhookRejection.INVALID_SIGNATURE);
    }

    @Test
    void idsThatCannotBeAKeyOrAreNotVisibleAsciiAreMalformed() {
        assertThat(rejection(signed("../etc", USER, NOW, jwks.privateKey("fal-a")), BODY))
                .isEqualTo(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
        assertThat(rejection(signed(REQUEST_ID, "two words", NOW, jwks.privateKey("fal-a")), BODY))
                .isEqualTo(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
    }

    @Test
    void staleAndMissingAreRefusedAsForIdeogram() {
        assertThat(rejection(signed(REQUEST_ID, USER, NOW - 301, jwks.privateKey("fal-a")), BODY))
                .isEqualTo(WebhookRejection.STALE_TIMESTAMP);
        Map<String, String> missing = signed(REQUEST_ID, USER, NOW, jwks.privateKey("fal-a"));
        missing.remove("X-Fal-Webhook-User-Id");
        assertThat(rejection(missing, BODY)).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);
    }

    @Test
    void ideogramsIdFormatStillWantsUrlSafeBase64() {
        verifier.setIdFormat(Ed25519WebhookVerifier.IDS_URL_SAFE_BASE64);

        assertThat(rejection(signed(REQUEST_ID, USER, NOW, jwks.privateKey("fal-a")), BODY))
                .isEqualTo(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
        assertThatThrownBy(() -> verifier.setIdFormat("uuid")).isInstanceOf(IllegalArgumentException.class);
    }

    /** Signs as fal documents it, independently of the code under test. */
    private static Map<String, String> signed(String id, String user, long timestamp, byte[] privateKey) {
        byte[] message = String.join("\n", id, user, Long.toString(timestamp), sha256Hex(BODY)).getBytes(StandardCharsets.UTF_8);
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(privateKey, 0, message, 0, message.length, signature, 0);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Fal-Webhook-Request-Id", id);
        headers.put("X-Fal-Webhook-User-Id", user);
        headers.put("X-Fal-Webhook-Timestamp", Long.toString(timestamp));
        headers.put("X-Fal-Webhook-Signature", HexFormat.of().formatHex(signature));
        return headers;
    }

    private static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Exchange exchange(Map<String, String> headers, byte[] body) {
        Exchange exchange = new DefaultExchange(camel);
        headers.forEach(exchange.getMessage()::setHeader);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    private WebhookRejection rejection(Map<String, String> headers, byte[] body) {
        Exchange exchange = exchange(headers, body);
        Throwable thrown = catchThrowable(() -> verifier.process(exchange));
        assertThat(thrown).isInstanceOf(WebhookRejectedException.class);
        assertThat(exchange.getProperty(GenerationExchange.SIGNED_ID)).isNull();
        assertThat(exchange.getProperty(GenerationExchange.SIGNED_USER_ID)).isNull();
        return ((WebhookRejectedException) thrown).getRejection();
    }
}
