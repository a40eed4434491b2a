package io.ideogramcamel.provider;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.standin.FalSender;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.standin.WebhookSigner;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.store.StoreUnavailableException;
import io.ideogramcamel.testing.ArchivedKeys;
import io.ideogramcamel.testing.Concurrently;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.ImageHost;
import io.ideogramcamel.testing.PostgresSchema;
import io.ideogramcamel.testing.S3ProxyServer;
import io.ideogramcamel.testing.TcpForwarder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * fal.ai end to end: the stand-in signs fal's way with its own key and JWKS, the bundle (PostgreSQL
 * through a port the test can close, s3proxy as the bucket) verifies, archives once and answers.
 * allowed-user-ids is empty here: any fal account is taken.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FalProviderTest extends BundleTestSupport {

    private static final String BUCKET = "fal-test";
    private static final String PREFIX = "generations/";
    private static final Duration ARCHIVED_WITHIN = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private PostgresSchema schema;
    private TcpForwarder database;
    private S3ProxyServer s3;
    private LocalIdeogram standIn;
    private ImageHost otherHost;

    @Override
    protected String storeJdbcUrl() throws Exception {
        schema = new PostgresSchema();
        database = new TcpForwarder(5432);
        properties.set("store.username", PostgresSchema.USER);
        return schema.jdbcUrlThroughPort(database.port());
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        standIn = LocalIdeogram.start();
        otherHost = ImageHost.start("127.0.0.2");
        properties.set("providers.fal.enabled", "true")
                .set("providers.fal.jwks-url", standIn.fal().jwksUrl())
                // the stand-in serves fal's PNGs itself, over plain http
                .set("providers.fal.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("storage.s3.bucket", BUCKET)
                .set("storage.s3.endpoint", s3.endpoint())
                .set("storage.s3.prefix", PREFIX)
                .set("aws.accessKeyId", "test")
                .set("aws.secretAccessKey", "test")
                .set("archive.redrive-interval-millis", "500")
                .set("archive.retry.redelivery-delay-millis", "50")
                .set("archive.retry.max-redelivery-delay-millis", "200")
                .set("archive.retry.initial-delay-seconds", "1")
                .set("archive.retry.max-delay-seconds", "2");
    }

    @AfterAll
    void stopServers() throws Exception {
        closeQuietly(standIn);
        closeQuietly(otherHost);
        closeQuietly(s3);
        closeQuietly(database);
        closeQuietly(schema);
    }

    private FalSender fal() {
        return standIn.fal();
    }

    private String falUrl() {
        return baseUrl() + "/webhooks/fal";
    }

    private HttpResponse<String> post(Map<String, String> headers, byte[] body) {
        return Http.post(falUrl(), headers, body);
    }

    private Map<String, String> signedNow(String requestId, byte[] body) {
        return fal().headers(requestId, fal().userId(), System.currentTimeMillis() / 1000, body);
    }

    private static String key(String requestId) {
        return "fal/" + requestId;
    }

    @Test
    void anOkResultIsArchivedOnceUnderRepeatedAndConcurrentDuplicates() throws Exception {
        String requestId = FalSender.newRequestId();
        byte[] body = FalSender.okBody(requestId, fal().images(requestId, 2));

        HttpResponse<String> first = post(signedNow(requestId, body), body);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(first.headers().firstValue(FalSender.SIGNATURE_HEADER)).isEmpty();

        // fal's retries: the same request again, one after another and twenty at once
        assertThat(post(signedNow(requestId, body), body).body()).isEqualTo("{\"status\":\"duplicate\"}");
        List<HttpResponse<String>> concurrent = Concurrently.run(20, () -> post(signedNow(requestId, body), body));
        assertThat(concurrent).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"status\":\"duplicate\"}");
        });

        awaitState(key(requestId), GenerationState.ARCHIVED, ARCHIVED_WITHIN);
        String dir = PREFIX + "fal/" + requestId + "/";
        assertThat(s3.keys(BUCKET, dir)).containsExactlyInAnyOrder(ArchivedKeys.of(dir, 0, 1));
        for (String key : ArchivedKeys.of(dir, 0, 1)) {
            assertThat(s3.writeCount(BUCKET, key)).isEqualTo(1);
        }
        assertThat(fal().imageFetches(requestId, 0)).isEqualTo(1);
        assertThat(fal().imageFetches(requestId, 1)).isEqualTo(1);
        JsonNode manifest = JSON.readTree(s3.read(BUCKET, dir + "manifest.json"));
        assertThat(manifest.get("provider").asText()).isEqualTo("fal");
        assertThat(manifest.get("images")).hasSize(2);
        assertThat(manifest.get("images").get(0).get("key").asText()).isEqualTo(dir + "0.png");
        assertThat(manifest.get("images").get(0).get("resolution").asText()).isEqualTo("1024x1024");

        HttpResponse<String> status = Http.get(baseUrl() + "/generations/fal/" + requestId);
        assertThat(status.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(status.body());
        assertThat(answer.get("provider").asText()).isEqualTo("fal");
        assertThat(answer.get("generation_id").asText()).isEqualTo(requestId);
        assertThat(answer.get("state").asText()).isEqualTo("archived");
    }

    @Test
    void twentyConcurrentFirstDeliveriesAcceptExactlyOneAndArchiveOnce() throws Exception {
        String requestId = FalSender.newRequestId();
        byte[] body = FalSender.okBody(requestId, fal().images(requestId, 1));

        List<HttpResponse<String>> answers = Concurrently.run(20, () -> post(signedNow(requestId, body), body));

        assertThat(answers).allMatch(r -> r.statusCode() == 200);
        assertThat(answers).filteredOn(r -> r.body().equals("{\"status\":\"accepted\"}")).hasSize(1);
        assertThat(answers).filteredOn(r -> r.body().equals("{\"status\":\"duplicate\"}")).hasSize(19);
        awaitState(key(requestId), GenerationState.ARCHIVED, ARCHIVED_WITHIN);
        String dir = PREFIX + "fal/" + requestId + "/";
        assertThat(s3.writeCount(BUCKET, dir + "0.png")).isEqualTo(1);
        assertThat(s3.writeCount(BUCKET, dir + "manifest.json")).isEqualTo(1);
        assertThat(fal().imageFetches(requestId, 0)).isEqualTo(1);
    }

    @Test
    void theStandInsControlEndpointSendsADeliveryTheBundleArchives() throws Exception {
        HttpResponse<String> sent = Http.post(standIn.baseUrl() + FalSender.SEND_PATH + "?to=" + falUrl() + "&status=OK&images=1",
                Map.of(), new byte[0]);

        assertThat(sent.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(sent.body());
        assertThat(answer.get("status").asInt()).isEqualTo(200);
        assertThat(answer.get("answer").asText()).isEqualTo("{\"status\":\"accepted\"}");
        awaitState(key(answer.get("request_id").asText()), GenerationState.ARCHIVED, ARCHIVED_WITHIN);
    }

    @Test
    void anErrorIsRecordedFailedWithFalErrorAndNothingIsArchived() throws Exception {
        FalSender.Sent sent = fal().send(falUrl(), "ERROR", 0);

        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.answer()).isEqualTo("{\"status\":\"recorded\"}");
        var row = awaitState(key(sent.requestId()), GenerationState.FAILED, ARCHIVED_WITHIN);
        assertThat(row.error()).isEqualTo("fal_error");
        JsonNode answer = JSON.readTree(Http.get(baseUrl() + "/generations/fal/" + sent.requestId()).body());
        assertThat(answer.get("state").asText()).isEqualTo("failed");
        assertThat(answer.get("error").asText()).isEqualTo("fal_error");
        assertThat(s3.keys(BUCKET, PREFIX + "fal/" + sent.requestId() + "/")).isEmpty();
    }

    @Test
    void aBodyChangedAfterSigningIs401AndStoresNothing() {
        String requestId = FalSender.newRequestId();
        byte[] body = FalSender.okBody(requestId, fal().images(requestId, 1));
        Map<String, String> headers = signedNow(requestId, body);
        byte[] forged = FalSender.okBody(requestId, List.of("http://127.0.0.1:1/evil.png"));

        assertRefused(post(headers, forged), 401, "invalid_signature", requestId);
    }

    @Test
    void aKeyFalNeverPublishedIs401AndStoresNothing() {
        String requestId = FalSender.newRequestId();
        byte[] body = FalSender.okBody(requestId, fal().images(requestId, 1));
        Map<String, String> headers = FalSender.headers(requestId, fal().userId(), System.currentTimeMillis() / 1000,
                body, WebhookSigner.newSecretKey());

        assertRefused(post(headers, body), 401, "invalid_signature", requestId);
    }

    @Test
    void aStaleTimestampIs401AndStoresNothing() {
        String requestId = FalSender.newRequestId();
        byte[] body = FalSender.okBody(requestId, fal().images(requestId, 1));
        Map<String, String> headers = fal().headers(requestId, fal().userId(), System.currentTimeMillis() / 1000 - 600, body);

        assertRefused(post(headers, body), 401, "stale_timestamp", requestId);
    }

    @Test
    void aMissingSignatureIs401AndStoresNothing() {
        String requestId = FalSender.newRequestId();
        byte[] body = FalSender.okBody(requestId, fal().images(requestId, 1));
        Map<String, String> headers = new java.util.LinkedHashMap<>(signedNow(requestId, body));
        headers.remove(FalSender.SIGNATURE_HEADER);

        assertRefused(post(headers, body), 401, "missing_signature_headers", requestId);
    }

    @Test
    void ideogramsSignatureHeadersAreNotFals() {
        String requestId = FalSender.newRequestId();
        byte[] body = FalSender.okBody(requestId, fal().images(requestId, 1));
        // a genuine Ideogram delivery posted to fal's path: Ideogram's key is not in fal's JWKS
        Map<String, String> ideogramHeaders = ideogram.sign(requestId, body);

        assertRefused(post(ideogramHeaders, body), 401, "missing_signature_headers", requestId);
    }

    @Test
    void signedMalformedJsonIs400() {
        String requestId = FalSender.newRequestId();
        byte[] body = "{\"request_id\":".getBytes(StandardCharsets.UTF_8);

        assertRefused(post(signedNow(requestId, body), body), 400, "invalid_json", requestId);
    }

    @Test
    void aBodyRequestIdOtherThanTheSignedOneIs400() {
        String requestId = FalSender.newRequestId();
        String other = FalSender.newRequestId();
        byte[] body = FalSender.okBody(other, fal().images(other, 1));

        assertRefused(post(signedNow(requestId, body), body), 400, "generation_id_mismatch", requestId);
        assertThat(store().find(key(other))).isEmpty();
    }

    @Test
    void aStatusFalDoesNotSendIs400() {
        String requestId = FalSender.newRequestId();
        byte[] body = ("{\"request_id\":\"" + requestId + "\",\"status\":\"IN_PROGRESS\",\"payload\":null}")
                .getBytes(StandardCharsets.UTF_8);

        assertRefused(post(signedNow(requestId, body), body), 400, "invalid_status", requestId);
    }

    @Test
    void anImageOnAHostNotListedIsRefusedInTheManifestAndNeverContacted() throws Exception {
        String requestId = FalSender.newRequestId();
        otherHost.png("/" + requestId + ".png", new byte[] { (byte) 0x89, 'P', 'N', 'G' });
        List<String> urls = new ArrayList<>(fal().images(requestId, 1));
        urls.add(otherHost.url("/" + requestId + ".png"));
        byte[] body = FalSender.okBody(requestId, urls);

        assertThat(post(signedNow(requestId, body), body).body()).isEqualTo("{\"status\":\"accepted\"}");
        awaitState(key(requestId), GenerationState.ARCHIVED, ARCHIVED_WITHIN);

        String dir = PREFIX + "fal/" + requestId + "/";
        JsonNode listed = JSON.readTree(s3.read(BUCKET, dir + "manifest.json")).get("images");
        assertThat(listed.get(0).has("refused")).isFalse();
        assertThat(listed.get(1).get("refused").asText()).isEqualTo("host_not_allowed");
        assertThat(otherHost.totalRequests()).isZero();
        assertThat(s3.keys(BUCKET, dir)).containsExactlyInAnyOrder(ArchivedKeys.of(dir, 0));
    }

    @Test
    void withAnEmptyAllowListAnyFalAccountIsTaken() throws Exception {
        FalSender.Sent sent = fal().send(falUrl(), "OK", 1, "someone-else");

        assertThat(sent.answer()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(store().find(key(sent.requestId()))).isPresent();
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void aStoreThatCannotCommitIs503AndTheRetryIsAccepted() throws Exception {
        String requestId = FalSender.newRequestId();
        byte[] body = FalSender.okBody(requestId, fal().images(requestId, 1));
        database.close();
        HttpResponse<String> down;
        try {
            down = post(signedNow(requestId, body), body);
        } finally {
            database.open();
        }
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).isEqualTo("{\"error\":\"store_unavailable\"}");

        // fal retries a non-2xx answer: once the store is back the same delivery is taken
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> retry = post(signedNow(requestId, body), body);
        while (retry.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            retry = post(signedNow(requestId, body), body);
        }
        assertThat(retry.body()).isEqualTo("{\"status\":\"accepted\"}");
        // the test's own reads may still meet a connection the outage broke: retried until the deadline
        deadline = System.nanoTime() + ARCHIVED_WITHIN.toNanos();
        GenerationState state = null;
        while (state != GenerationState.ARCHIVED && System.nanoTime() < deadline) {
            try {
                state = store().find(key(requestId)).map(r -> r.state()).orElse(null);
            } catch (StoreUnavailableException stillReconnecting) {
                state = null;
            }
            Thread.sleep(100);
        }
        assertThat(state).isEqualTo(GenerationState.ARCHIVED);
    }

    private void assertRefused(HttpResponse<String> response, int status, String token, String requestId) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.body()).isEqualTo("{\"error\":\"" + token + "\"}");
        assertThat(store().find(key(requestId))).isEmpty();
        assertThat(s3.keys(BUCKET, PREFIX + "fal/" + requestId + "/")).isEmpty();
    }
}
