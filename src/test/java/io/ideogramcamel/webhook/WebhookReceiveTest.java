package io.ideogramcamel.webhook;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook route on the embedded default store (H2 file, WRITE_DELAY=0). */
class WebhookReceiveTest extends BundleTestSupport {

    @Override
    protected String storeJdbcUrl() throws Exception {
        Path dir = Files.createTempDirectory("ideogram-h2-");
        return "jdbc:h2:file:" + dir.resolve("store") + ";WRITE_DELAY=0";
    }

    @Test
    void signedDeliveryIsCommittedAsReceivedBeforeThe200() {
        String id = IdeogramStandIn.newGenerationId();

        HttpResponse<String> response = deliverSigned(id, 4);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"accepted\"}");
        var row = store().find(id).orElseThrow();
        assertThat(row.state()).isEqualTo(GenerationState.RECEIVED);
        assertThat(row.source()).isEqualTo("webhook");
        assertThat(row.images()).contains("\"seed\":1003").startsWith("[");
    }

    @Test
    void replyEchoesNoRequestHeader() {
        String id = IdeogramStandIn.newGenerationId();

        HttpResponse<String> response = deliverSigned(id, 1);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().map().keySet())
                .noneMatch(name -> name.toLowerCase().startsWith("x-ideogram"));
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void duplicateDeliveryAnswers200DuplicateAndChangesNothing() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 2);
        assertThat(deliver(ideogram.sign(id, body), body).statusCode()).isEqualTo(200);
        long updatedAt = store().find(id).orElseThrow().updatedAt();

        HttpResponse<String> again = deliver(ideogram.sign(id, body), body);

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo("{\"status\":\"duplicate\"}");
        assertThat(store().find(id).orElseThrow().updatedAt()).isEqualTo(updatedAt);
    }

    @Test
    void twentyConcurrentDeliveriesOfOneIdAcceptExactlyOne() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 3);
        Map<String, String> headers = ideogram.sign(id, body);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                answers.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return deliver(headers, body);
                }));
            }
            start.countDown();
            List<String> bodies = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
                assertThat(response.statusCode()).isEqualTo(200);
                bodies.add(response.body());
            }
            assertThat(bodies).filteredOn(b -> b.contains("accepted")).hasSize(1);
            assertThat(bodies).filteredOn(b -> b.contains("duplicate")).hasSize(19);
            assertThat(store().find(id)).isPresent();
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "X-Ideogram-Webhook-Generation-Id", "X-Ideogram-Webhook-User-Id",
            "X-Ideogram-Webhook-Timestamp", "X-Ideogram-Webhook-Signature" })
    void missingSignatureHeaderIs401AndStoresNothing(String header) {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        Map<String, String> headers = new LinkedHashMap<>(ideogram.sign(id, body));
        headers.remove(header);

        HttpResponse<String> response = deliver(headers, body);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"error\":\"missing_signature_headers\"}");
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void malformedSignatureIs401WithoutEchoingIt() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        Map<String, String> headers = new LinkedHashMap<>(ideogram.sign(id, body));
        headers.put("X-Ideogram-Webhook-Signature", "zz<script>" + "0".repeat(118));

        HttpResponse<String> response = deliver(headers, body);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"error\":\"malformed_signature_headers\"}");
        assertThat(response.headers().map().toString()).doesNotContain("script");
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void forgedSignatureIs401AndStoresNothing() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        Map<String, String> headers = ideogram.sign(id, body,
                System.currentTimeMillis() / 1000, "v1", IdeogramStandIn.strangerKey());

        HttpResponse<String> response = deliver(headers, body);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isIn("{\"error\":\"invalid_signature\"}", "{\"error\":\"unknown_key\"}");
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void bodyChangedAfterSigningIs401() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        Map<String, String> headers = ideogram.sign(id, body);
        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("red fox", "red cat")
                .getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = deliver(headers, tampered);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(store().find(id)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = { -301, 301, -86400 })
    void timestampOutsideToleranceIs401(long skewSeconds) {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        Map<String, String> headers = ideogram.sign(id, body,
                System.currentTimeMillis() / 1000 + skewSeconds, "v1", ideogram.privateKey("v1"));

        HttpResponse<String> response = deliver(headers, body);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"error\":\"stale_timestamp\"}");
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void signatureWhosePointIsNotOnTheCurveIs401() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        Map<String, String> headers = new LinkedHashMap<>(ideogram.sign(id, body));
        headers.put("X-Ideogram-Webhook-Signature", HexFormat.of().formatHex(new byte[64]).replace('0', 'f'));

        HttpResponse<String> response = deliver(headers, body);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void signedBodyThatIsNotJsonIs400() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = "{\"generation_id\": oops".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = deliver(ideogram.sign(id, body), body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"invalid_json\"}");
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void signedBodyListingMoreImagesThanTheCapIs400AndStoresNothing() {
        String id = IdeogramStandIn.newGenerationId();
        // the default cap is 16; Ideogram itself sends at most 8
        byte[] body = IdeogramStandIn.deliveryBody(id, 17);

        HttpResponse<String> response = deliver(ideogram.sign(id, body), body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"too_many_images\"}");
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void signedBodyListingExactlyTheCapIsAccepted() {
        String id = IdeogramStandIn.newGenerationId();

        assertThat(deliverSigned(id, 16).statusCode()).isEqualTo(200);
        assertThat(store().find(id)).isPresent();
    }

    @Test
    void signedBodyWithoutIdIs400() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = "{\"created\":\"2026-11-24\",\"data\":[]}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = deliver(ideogram.sign(id, body), body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"missing_generation_id\"}");
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void bodyIdDifferentFromTheSignedHeaderIs400() {
        String id = IdeogramStandIn.newGenerationId();
        String other = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(other, 1);

        HttpResponse<String> response = deliver(ideogram.sign(id, body), body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"generation_id_mismatch\"}");
        assertThat(store().find(id)).isEmpty();
        assertThat(store().find(other)).isEmpty();
    }

    @Test
    void bodyIdThatIsNotUrlSafeBase64Is400() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = ("{\"generation_id\":\"../" + id + "\",\"data\":[]}").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = deliver(ideogram.sign(id, body), body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"invalid_generation_id\"}");
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void requestIdIsAcceptedAsTheIdField() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = ("{\"request_id\":\"" + id + "\",\"data\":[]}").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = deliver(ideogram.sign(id, body), body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(store().find(id)).isPresent();
    }

    @Test
    void bodyOverTheLimitIs413AndStoresNothing() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(body, (byte) ' ');

        HttpResponse<String> response = deliver(ideogram.sign(id, body), body);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void chunkedBodyOverTheLimitIs413EvenWithoutAContentLength() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(baseUrl() + "/webhooks/ideogram"))
                .timeout(java.time.Duration.ofSeconds(20))
                // an InputStream publisher has no length: the body goes out chunked
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)));
        ideogram.sign(id, body).forEach(request::header);

        HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                .send(request.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void signedEmptyBodyIs400() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = new byte[0];

        HttpResponse<String> response = deliver(ideogram.sign(id, body), body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"invalid_json\"}");
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void formEncodedBodyIsNeverAccepted() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = ("generation_id=" + id).getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>(ideogram.sign(id, body));
        headers.put("Content-Type", "application/x-www-form-urlencoded");

        HttpResponse<String> response = deliver(headers, body);

        assertThat(response.statusCode()).isBetween(400, 499);
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void keyRotatedAfterStartIsAcceptedAfterOneRefetch() throws InterruptedException {
        assertThat(deliverSigned(IdeogramStandIn.newGenerationId(), 1).statusCode()).isEqualTo(200);
        // let any refetch window opened by an earlier test lapse
        Thread.sleep(TimeUnit.SECONDS.toMillis(MIN_REFETCH_SECONDS) + 200);
        int fetchesBefore = ideogram.jwksFetches();
        String newKid = "v2-" + System.nanoTime();
        ideogram.addKey(newKid);
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);

        HttpResponse<String> response = deliver(ideogram.sign(id, body,
                System.currentTimeMillis() / 1000, newKid, ideogram.privateKey(newKid)), body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(ideogram.jwksFetches() - fetchesBefore).isEqualTo(1);
        assertThat(store().find(id)).isPresent();
    }

    @Test
    void aThousandForgedDeliveriesCauseAtMostOneJwksFetchPerRefetchInterval() {
        int fetchesBefore = ideogram.jwksFetches();
        long started = System.nanoTime();
        byte[] forger = IdeogramStandIn.strangerKey();
        for (int i = 0; i < 1000; i++) {
            String id = IdeogramStandIn.newGenerationId();
            byte[] body = IdeogramStandIn.deliveryBody(id, 1);
            HttpResponse<String> response = deliver(
                    ideogram.sign(id, body, System.currentTimeMillis() / 1000, "forged-" + i, forger), body);
            assertThat(response.statusCode()).isEqualTo(401);
        }
        long intervals = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) / MIN_REFETCH_SECONDS;
        assertThat(ideogram.jwksFetches() - fetchesBefore).isLessThanOrEqualTo(1 + (int) intervals);
    }

    @Test
    void wrongMethodIsRefusedWithoutA5xx() {
        HttpResponse<String> response = Http.get(baseUrl() + "/webhooks/ideogram");

        assertThat(response.statusCode()).isBetween(400, 499);
    }

    @Test
    void outcomesAreCountedInPrometheusMetrics() {
        deliverSigned(IdeogramStandIn.newGenerationId(), 1);
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        deliver(ideogram.sign(id, body, 1, "v1", ideogram.privateKey("v1")), body);

        HttpResponse<String> metrics = Http.get(baseUrl() + "/observe/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern("ideogram_webhook_accepted_total\\{[^}]*\\} [1-9]")
                .containsPattern("ideogram_webhook_rejected_total\\{[^}]*reason=\"stale_timestamp\"[^}]*\\} [1-9]");
    }

    @Test
    void readinessIsUpWithTheStoreUp() {
        HttpResponse<String> ready = Http.get(baseUrl() + "/observe/health/ready");

        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("UP");
    }
}
