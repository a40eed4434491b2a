package io.ideogramcamel.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.webhook.WebhookRejectedException;
import io.ideogramcamel.webhook.WebhookRejection;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.converter.stream.InputStreamCache;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Ed25519WebhookVerifierTest {

    private static final long NOW = 1_800_000_000L;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final String ID = "R2VuZXJhdGlvbi0x";
    private static final String USER = "dXNlcg";
    private static final String ID_HEADER = "X-Ideogram-Webhook-Generation-Id";
    private static final String USER_HEADER = "X-Ideogram-Webhook-User-Id";
    private static final String TIMESTAMP_HEADER = "X-Ideogram-Webhook-Timestamp";
    private static final String KID_HEADER = "X-Ideogram-Webhook-Key-Id";
    private static final String SIGNATURE_HEADER = "X-Ideogram-Webhook-Signature";
    private static final byte[] BODY = ("{\"generation_id\":\"" + ID + "\",\"created\":\"2026-11-24T16:00:00Z\",\"data\":[]}")
            .getBytes(StandardCharsets.UTF_8);

    private static CamelContext camel;

    private final AtomicLong nanos = new AtomicLong(1_000 * SECOND);
    private JwksKeySourceTest.JwksServer jwks;
    private JwksKeySource keys;
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
        jwks.addKey("v1");
        keys = new JwksKeySource(nanos::get);
        keys.setJwksUrl(jwks.url());
        keys.setMinRefetchSeconds(30);
        verifier = new Ed25519WebhookVerifier(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
        verifier.setKeySource(keys);
    }

    @AfterEach
    void stop() {
        jwks.close();
    }

    @Test
    void aValidDeliveryPassesAndNamesTheGeneration() throws Exception {
        Exchange exchange = exchange(signed(BODY), BODY);

        verifier.process(exchange);

        assertThat(exchange.getProperty(GenerationExchange.GENERATION_ID)).isEqualTo(ID);
        assertThat(exchange.getMessage().getBody(byte[].class)).isEqualTo(BODY);
    }

    @Test
    void theKeyIdIsOptionalAndUppercaseHexIsAccepted() {
        Map<String, String> headers = signed(BODY);
        headers.remove(KID_HEADER);
        headers.put(SIGNATURE_HEADER, headers.get(SIGNATURE_HEADER).toUpperCase());

        assertThat(passes(headers, BODY)).isTrue();
    }

    @Test
    void eachMissingOrEmptyRequiredHeaderIsRefused() {
        for (String header : List.of(ID_HEADER, USER_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)) {
            Map<String, String> missing = signed(BODY);
            missing.remove(header);
            assertThat(rejection(missing, BODY)).as(header).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);

            Map<String, String> empty = signed(BODY);
            empty.put(header, "");
            assertThat(rejection(empty, BODY)).as(header).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);
        }
        assertThat(jwks.requests()).isZero();
    }

    @Test
    void malformedHeadersAreRefusedBeforeAnyKeyIsFetched() {
        String signature = signed(BODY).get(SIGNATURE_HEADER);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(SIGNATURE_HEADER + " bad hex", signature.substring(0, 127) + "g");
        cases.put(SIGNATURE_HEADER + " 127", signature.substring(0, 127));
        cases.put(SIGNATURE_HEADER + " 129", signature + "0");
        cases.put(SIGNATURE_HEADER + " huge", "ab".repeat(10_000));
        cases.put(TIMESTAMP_HEADER + " letters", "17000000x0");
        cases.put(TIMESTAMP_HEADER + " negative", "-" + NOW);
        cases.put(TIMESTAMP_HEADER + " 13 digits", "0" + "1".repeat(12));
        cases.put(TIMESTAMP_HEADER + " fraction", NOW + ".5");
        cases.put(ID_HEADER + " 257", "a".repeat(257));
        cases.put(ID_HEADER + " slash", "abc/def");
        cases.put(ID_HEADER + " plus", "abc+def");
        cases.put(ID_HEADER + " three pads", "abc===");
        cases.put(ID_HEADER + " only pads", "==");
        cases.put(ID_HEADER + " newline", "abc\ndef");
        cases.put(ID_HEADER + " non-ascii", "abcé");
        cases.put(USER_HEADER + " space", "us er");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Map<String, String> headers = signed(BODY);
            headers.put(c.getKey().substring(0, c.getKey().indexOf(' ')), c.getValue());
            assertThat(rejection(headers, BODY)).as(c.getKey()).isEqualTo(WebhookRejection.MALFORMED_SIGNATURE_HEADERS);
        }
        assertThat(jwks.requests()).isZero();
    }

    @Test
    void idsAtTheLimitsOfTheFormatVerify() {
        for (String id : List.of("a".repeat(256), "a".repeat(254) + "==", "YQ=", "-_")) {
            assertThat(passes(signed(id, BODY, NOW, "v1", jwks.privateKey("v1")), BODY)).as(id).isTrue();
        }
    }

    @Test
    void aMalformedKeyIdIsIgnoredAsAHint() {
        for (String kid : List.of("k".repeat(129), "v1\n", "clé")) {
            Map<String, String> headers = signed(BODY);
            headers.put(KID_HEADER, kid);
            assertThat(passes(headers, BODY)).as(kid).isTrue();
        }
    }

    @Test
    void timestampsBeyondTheToleranceAreRefusedAndWithinItPass() {
        byte[] sk = jwks.privateKey("v1");
        assertThat(rejection(signed(ID, BODY, NOW - 301, "v1", sk), BODY)).isEqualTo(WebhookRejection.STALE_TIMESTAMP);
        assertThat(rejection(signed(ID, BODY, NOW + 301, "v1", sk), BODY)).isEqualTo(WebhookRejection.STALE_TIMESTAMP);
        assertThat(rejection(signed(ID, BODY, 0, "v1", sk), BODY)).isEqualTo(WebhookRejection.STALE_TIMESTAMP);
        assertThat(rejection(signed(ID, BODY, 999_999_999_999L, "v1", sk), BODY)).isEqualTo(WebhookRejection.STALE_TIMESTAMP);
        assertThat(jwks.requests()).isZero();

        assertThat(passes(signed(ID, BODY, NOW - 300, "v1", sk), BODY)).isTrue();
        assertThat(passes(signed(ID, BODY, NOW + 300, "v1", sk), BODY)).isTrue();

        verifier.setToleranceSeconds(10);
        assertThat(rejection(signed(ID, BODY, NOW - 11, "v1", sk), BODY)).isEqualTo(WebhookRejection.STALE_TIMESTAMP);
    }

    @Test
    void aBodyChangedByOneByteIsRefused() {
        Map<String, String> headers = signed(BODY);
        for (int i : new int[] {0, BODY.length / 2, BODY.length - 1}) {
            byte[] changed = BODY.clone();
            changed[i] ^= 1;
            assertThat(rejection(headers, changed)).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        }
        assertThat(rejection(headers, Arrays.copyOf(BODY, BODY.length + 1))).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        assertThat(rejection(headers, null)).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        // Re-serialised JSON with the same meaning is a different body.
        byte[] reformatted = new String(BODY, StandardCharsets.UTF_8).replace(",", ", ").getBytes(StandardCharsets.UTF_8);
        assertThat(rejection(headers, reformatted)).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
    }

    @Test
    void otherPartsOfTheSignedMessageAreCovered() {
        Map<String, String> headers = signed(BODY);
        headers.put(USER_HEADER, "b3RoZXI");
        assertThat(rejection(headers, BODY)).isEqualTo(WebhookRejection.INVALID_SIGNATURE);

        headers = signed(BODY);
        headers.put(ID_HEADER, "R2VuZXJhdGlvbi0y");
        assertThat(rejection(headers, BODY)).isEqualTo(WebhookRejection.INVALID_SIGNATURE);

        headers = signed(BODY);
        headers.put(TIMESTAMP_HEADER, Long.toString(NOW - 1));
        assertThat(rejection(headers, BODY)).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
    }

    @Test
    void aNullBodyIsTheEmptyBody() {
        assertThat(passes(signed(ID, new byte[0], NOW, "v1", jwks.privateKey("v1")), null)).isTrue();
    }

    @Test
    void aSignatureByAKeyNotInTheJwksIsRefused() {
        byte[] stranger = JwksKeySourceTest.JwksServer.newPrivateKey();
        assertThat(rejection(signed(ID, BODY, NOW, "v1", stranger), BODY)).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        assertThat(rejection(signed(ID, BODY, NOW, "v9", stranger), BODY)).isEqualTo(WebhookRejection.UNKNOWN_KEY);
        assertThat(rejection(signed(ID, BODY, NOW, null, stranger), BODY)).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
    }

    @Test
    void theKeyIdIsOnlyAHint() {
        jwks.addKey("v2");
        byte[] v1 = jwks.privateKey("v1");
        assertThat(passes(signed(ID, BODY, NOW, "unknown", v1), BODY)).isTrue();
        assertThat(passes(signed(ID, BODY, NOW, "v2", v1), BODY)).isTrue();
        assertThat(jwks.requests()).isEqualTo(1);
    }

    @Test
    void noKeysAtAllIsKeysUnavailableSoTheSenderRetries() {
        jwks.status(500);
        assertThat(rejection(signed(BODY), BODY)).isEqualTo(WebhookRejection.KEYS_UNAVAILABLE);
        assertThat(WebhookRejection.KEYS_UNAVAILABLE.status()).isEqualTo(503);
    }

    @Test
    void aRotatedInKeyIsAcceptedAfterExactlyOneRefetch() {
        assertThat(passes(signed(BODY), BODY)).isTrue();
        assertThat(jwks.requests()).isEqualTo(1);

        jwks.addKey("v2");
        nanos.addAndGet(30 * SECOND);
        Map<String, String> byNewKey = signed(ID, BODY, NOW, "v2", jwks.privateKey("v2"));

        assertThat(passes(byNewKey, BODY)).isTrue();
        assertThat(jwks.requests()).isEqualTo(2);
        assertThat(passes(byNewKey, BODY)).isTrue();
        assertThat(passes(signed(BODY), BODY)).isTrue();
        assertThat(jwks.requests()).isEqualTo(2);
        assertThat(keys.fetchCount()).isEqualTo(2);
    }

    @Test
    void aRotatedInKeyWaitsForTheRefetchInterval() {
        assertThat(passes(signed(BODY), BODY)).isTrue();
        jwks.addKey("v2");
        nanos.addAndGet(29 * SECOND);
        Map<String, String> byNewKey = signed(ID, BODY, NOW, "v2", jwks.privateKey("v2"));

        assertThat(rejection(byNewKey, BODY)).isEqualTo(WebhookRejection.UNKNOWN_KEY);
        assertThat(jwks.requests()).isEqualTo(1);
    }

    @Test
    void aThousandForgedDeliveriesCauseAtMostOneFetchPerInterval() {
        assertThat(passes(signed(BODY), BODY)).isTrue();
        nanos.addAndGet(30 * SECOND);
        int before = jwks.requests();

        assertThat(forge(1_000)).containsOnly(WebhookRejection.INVALID_SIGNATURE);

        assertThat(jwks.requests() - before).isEqualTo(1);
        assertThat(passes(signed(BODY), BODY)).isTrue();
    }

    @Test
    void aThousandForgedDeliveriesCauseAtMostOneFetchPerIntervalWhileTheJwksFails() {
        jwks.status(500);

        assertThat(forge(1_000)).containsOnly(WebhookRejection.KEYS_UNAVAILABLE);
        assertThat(jwks.requests()).isEqualTo(1);

        nanos.addAndGet(30 * SECOND);
        assertThat(forge(1_000)).containsOnly(WebhookRejection.KEYS_UNAVAILABLE);
        assertThat(jwks.requests()).isEqualTo(2);
    }

    @Test
    void forgedDeliveriesFromManyThreadsShareOneFetch() throws Exception {
        assertThat(passes(signed(BODY), BODY)).isTrue();
        nanos.addAndGet(31 * SECOND);
        jwks.delayMillis(100);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<WebhookRejection>>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> forge(125)));
            }
            for (Future<List<WebhookRejection>> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).containsOnly(WebhookRejection.INVALID_SIGNATURE);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(jwks.requests()).isEqualTo(2);
    }

    @Test
    void withTheRealTickerAFailingJwksIsFetchedOncePerInterval() throws IOException {
        jwks.status(500);
        JwksKeySource realTime = new JwksKeySource();
        realTime.setJwksUrl(jwks.url());
        realTime.setMinRefetchSeconds(30);
        verifier.setKeySource(realTime);

        assertThat(forge(1_000)).containsOnly(WebhookRejection.KEYS_UNAVAILABLE);
        assertThat(jwks.requests()).isEqualTo(1);
    }

    @Test
    void anROffTheCurveIsAnInvalidSignatureNotAnotherException() {
        Map<String, String> allOnes = signed(BODY);
        allOnes.put(SIGNATURE_HEADER, "ff".repeat(64));
        Map<String, String> rOnly = signed(BODY);
        rOnly.put(SIGNATURE_HEADER, "ff".repeat(32) + rOnly.get(SIGNATURE_HEADER).substring(64));
        Map<String, String> zeros = signed(BODY);
        zeros.put(SIGNATURE_HEADER, "00".repeat(64));

        for (Map<String, String> headers : List.of(allOnes, rOnly, zeros)) {
            assertThat(rejection(headers, BODY)).isEqualTo(WebhookRejection.INVALID_SIGNATURE);
        }
    }

    @Test
    void aStreamBodyIsHashedAsSentAndLeftReadable() throws Exception {
        Exchange streamed = exchange(signed(BODY), null);
        streamed.getMessage().setBody(new ByteArrayInputStream(BODY));
        verifier.process(streamed);
        assertThat(streamed.getMessage().getBody(byte[].class)).isEqualTo(BODY);

        Exchange cached = exchange(signed(BODY), null);
        cached.getMessage().setBody(new InputStreamCache(BODY));
        verifier.process(cached);
        assertThat(cached.getMessage().getBody(byte[].class)).isEqualTo(BODY);
    }

    @Test
    void otherHeaderNamesMakeTheSameSchemeWorkForOtherSenders() throws Exception {
        verifier.setGenerationIdHeader("X-Fal-Webhook-Request-Id");
        verifier.setUserIdHeader("X-Fal-Webhook-User-Id");
        verifier.setTimestampHeader("X-Fal-Webhook-Timestamp");
        verifier.setKeyIdHeader("X-Fal-Webhook-Key-Id");
        verifier.setSignatureHeader("X-Fal-Webhook-Signature");
        Map<String, String> fal = new LinkedHashMap<>();
        signed(BODY).forEach((name, value) -> fal.put(name.replace("Ideogram", "Fal").replace("Generation", "Request"), value));

        Exchange exchange = exchange(fal, BODY);
        verifier.process(exchange);
        assertThat(exchange.getProperty(GenerationExchange.GENERATION_ID)).isEqualTo(ID);
        assertThat(rejection(signed(BODY), BODY)).isEqualTo(WebhookRejection.MISSING_SIGNATURE_HEADERS);
    }

    @Test
    void nothingButTheFixedReasonLeavesInTheException() {
        Map<String, String> headers = signed(BODY);
        headers.put(SIGNATURE_HEADER, "ff".repeat(64));
        Throwable thrown = catchThrowable(() -> verifier.process(exchange(headers, BODY)));
        assertThat(thrown).isInstanceOf(WebhookRejectedException.class).hasMessage("invalid_signature");
        assertThat(thrown.getStackTrace()).isEmpty();
    }

    // --- helpers

    private List<WebhookRejection> forge(int count) {
        byte[] forger = JwksKeySourceTest.JwksServer.newPrivateKey();
        List<WebhookRejection> rejections = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rejections.add(rejection(signed("Zm9yZ2Vk" + i, BODY, NOW, "v1", forger), BODY));
        }
        return rejections;
    }

    private Map<String, String> signed(byte[] body) {
        return signed(ID, body, NOW, "v1", jwks.privateKey("v1"));
    }

    /** Signs the way Ideogram documents it, independently of the code under test. */
    private static Map<String, String> signed(String id, byte[] body, long timestamp, String kid, byte[] privateKey) {
        byte[] message = String.join("\n", id, USER, Long.toString(timestamp), sha256Hex(body)).getBytes(StandardCharsets.UTF_8);
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(privateKey, 0, message, 0, message.length, signature, 0);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(ID_HEADER, id);
        headers.put(USER_HEADER, USER);
        headers.put(TIMESTAMP_HEADER, Long.toString(timestamp));
        if (kid != null) {
            headers.put(KID_HEADER, kid);
        }
        headers.put(SIGNATURE_HEADER, HexFormat.of().formatHex(signature));
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

    private boolean passes(Map<String, String> headers, byte[] body) {
        Exchange exchange = exchange(headers, body);
        assertThatCode(() -> verifier.process(exchange)).doesNotThrowAnyException();
        return headers.get(ID_HEADER).equals(exchange.getProperty(GenerationExchange.GENERATION_ID));
    }

    private WebhookRejection rejection(Map<String, String> headers, byte[] body) {
        Exchange exchange = exchange(headers, body);
        Throwable thrown = catchThrowable(() -> verifier.process(exchange));
        assertThat(thrown).isInstanceOf(WebhookRejectedException.class);
        assertThat(exchange.getProperty(GenerationExchange.GENERATION_ID)).isNull();
        return ((WebhookRejectedException) thrown).getRejection();
    }
}
