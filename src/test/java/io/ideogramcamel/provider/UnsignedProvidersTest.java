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
import io.ideogramcamel.standin.ImagineApiStandIn;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.standin.RunBlobStandIn;
import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.ArchivedKeys;
import io.ideogramcamel.testing.Concurrently;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.LogCapture;
import io.ideogramcamel.testing.PostgresSchema;
import io.ideogramcamel.testing.S3ProxyServer;
import io.ideogramcamel.testing.TcpForwarder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ImagineAPI and RunBlob end to end: unsigned callbacks behind a secret path token, completions
 * confirmed with the provider's API (the stand-in, which can lie), archived once into s3proxy,
 * on PostgreSQL reached through a forwarder that a test closes to take the store away.
 */
class UnsignedProvidersTest extends BundleTestSupport {

    private static final String IMAGINE_TOKEN = "imagine-0123456789abcdef0123456789abcdef";
    private static final String RUNBLOB_TOKEN = "runblob-0123456789abcdef0123456789abcdef";
    private static final String BUCKET = "providers";
    private static final String PREFIX = "generations/";
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> JSON_TYPE = Map.of("Content-Type", "application/json");

    private S3ProxyServer s3;
    private LocalIdeogram standIn;
    private ImagineApiStandIn imagine;
    private RunBlobStandIn runblob;
    private PostgresSchema schema;
    private TcpForwarder database;
    private final List<LogCapture> logs = new ArrayList<>();

    @Override
    protected String storeJdbcUrl() throws Exception {
        schema = new PostgresSchema();
        database = new TcpForwarder(5432);
        properties.set("store.username", PostgresSchema.USER);
        return schema.jdbcUrlThroughPort(database.port());
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        for (String logger : new String[] { "io.ideogramcamel", "org.apache.camel", "io.vertx" }) {
            logs.add(LogCapture.of(logger));
        }
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        standIn = LocalIdeogram.start();
        imagine = standIn.imagineApi();
        runblob = standIn.runBlob();
        properties.set("storage.s3.bucket", BUCKET)
                .set("storage.s3.endpoint", s3.endpoint())
                .set("storage.s3.prefix", PREFIX)
                .set("aws.accessKeyId", "test")
                .set("aws.secretAccessKey", "test")
                .set("ideogram.image.allow-http", "true")
                .set("archive.redrive-interval-millis", "500")
                .set("providers.imagineapi.path-token", IMAGINE_TOKEN)
                .set("providers.imagineapi.api-url", imagine.apiUrl())
                .set("providers.imagineapi.api-token", standIn.apiKey())
                .set("providers.imagineapi.image-hosts", "127.0.0.1")
                .set("providers.runblob.path-token", RUNBLOB_TOKEN)
                .set("providers.runblob.status-url", runblob.statusUrl())
                .set("providers.runblob.api-key", standIn.apiKey())
                .set("providers.runblob.image-hosts", "127.0.0.1");
    }

    @AfterAll
    void stopServers() throws Exception {
        logs.forEach(LogCapture::close);
        closeQuietly(standIn);
        closeQuietly(s3);
        closeQuietly(database);
        closeQuietly(schema);
    }

    private String imagineUrl() {
        return baseUrl() + "/webhooks/imagineapi/" + IMAGINE_TOKEN;
    }

    private String runblobUrl() {
        return baseUrl() + "/webhooks/runblob/" + RUNBLOB_TOKEN;
    }

    private static HttpResponse<String> post(String url, byte[] body) {
        return Http.post(url, JSON_TYPE, body);
    }

    private List<String> stored(String provider, String id) {
        return s3.keys(BUCKET, PREFIX + provider + "/" + id + "/");
    }

    @Test
    void imagineApiProgressIsShownThenACompletionIsConfirmedAndArchivedOnceUnderDuplicates() throws Exception {
        String id = imagine.newItem("a lighthouse at dusk", 4);
        imagine.set(id, "pending", null);
        assertThat(post(imagineUrl(), imagine.callbackBody(id, "pending", null)).body()).isEqualTo("{\"status\":\"recorded\"}");
        imagine.set(id, "in-progress", 50);
        assertThat(post(imagineUrl(), imagine.callbackBody(id, "in-progress", 50)).statusCode()).isEqualTo(200);
        // the same update again is a duplicate delivery
        assertThat(post(imagineUrl(), imagine.callbackBody(id, "in-progress", 50)).body()).isEqualTo("{\"status\":\"duplicate\"}");

        JsonNode before = JSON.readTree(Http.get(baseUrl() + "/generations/imagineapi/" + id).body());
        assertThat(before.get("state").asText()).isEqualTo("submitted");
        assertThat(before.get("provider_status").asText()).isEqualTo("in-progress");
        assertThat(before.get("progress").asInt()).isEqualTo(50);
        assertThat(stored("imagineapi", id)).isEmpty();

        imagine.set(id, "completed", 100);
        byte[] completed = imagine.callbackBody(id, "completed", 100);
        List<HttpResponse<String>> answers = Concurrently.run(8, () -> post(imagineUrl(), completed));
        answers.add(post(imagineUrl(), completed));
        assertThat(answers).allMatch(a -> a.statusCode() == 200);
        assertThat(answers).filteredOn(a -> a.body().equals("{\"status\":\"accepted\"}")).hasSize(1);

        awaitState("imagineapi/" + id, GenerationState.ARCHIVED, WITHIN);
        // upscales first (the stand-in's images 1..3), the grid (its image 0) last
        for (int i = 0; i < 3; i++) {
            assertThat(s3.read(BUCKET, PREFIX + "imagineapi/" + id + "/" + i + ".png")).isEqualTo(imagine.image(id, i + 1));
        }
        assertThat(s3.read(BUCKET, PREFIX + "imagineapi/" + id + "/3.png")).isEqualTo(imagine.image(id, 0));
        assertThat(stored("imagineapi", id)).containsExactlyInAnyOrder(ArchivedKeys.of(PREFIX + "imagineapi/" + id + "/", 0, 1, 2, 3)).allMatch(k -> s3.writeCount(BUCKET, k) == 1);
        JsonNode after = JSON.readTree(Http.get(baseUrl() + "/generations/imagineapi/" + id).body());
        assertThat(after.get("state").asText()).isEqualTo("archived");
        assertThat(after.get("provider").asText()).isEqualTo("imagineapi");
    }

    @Test
    void theStandInsWholeImagineApiRunIsArchivedOnce() throws Exception {
        var sent = imagine.send(imagineUrl(), null, false);
        assertThat(sent).hasSize(5).allMatch(s -> s.status() == 200);
        assertThat(sent.get(4).body()).isEqualTo("{\"status\":\"accepted\"}");
    }

    @Test
    void runBlobCompletionIsConfirmedAndArchivedOnceUnderConcurrentDuplicates() throws Exception {
        String id = runblob.newItem("a red fox", 1);
        runblob.set(id, "processing", null);
        assertThat(post(runblobUrl(), runblob.callbackBody(id, "processing", null)).body()).isEqualTo("{\"status\":\"recorded\"}");
        assertThat(JSON.readTree(Http.get(baseUrl() + "/generations/runblob/" + id).body()).get("provider_status")
                .asText()).isEqualTo("processing");

        runblob.set(id, "completed", null);
        byte[] completed = runblob.callbackBody(id, "completed", null);
        long started = System.nanoTime();
        List<HttpResponse<String>> answers = Concurrently.run(8, () -> post(runblobUrl(), completed));
        answers.add(post(runblobUrl(), completed));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(answers).allMatch(a -> a.statusCode() == 200);
        assertThat(answers).filteredOn(a -> a.body().equals("{\"status\":\"accepted\"}")).hasSize(1);

        awaitState("runblob/" + id, GenerationState.ARCHIVED, WITHIN);
        assertThat(s3.read(BUCKET, PREFIX + "runblob/" + id + "/0.png")).isEqualTo(runblob.image(id, 0));
        assertThat(stored("runblob", id)).containsExactlyInAnyOrder(ArchivedKeys.of(PREFIX + "runblob/" + id + "/", 0)).allMatch(k -> s3.writeCount(BUCKET, k) == 1);
    }

    @Test
    void aWrongOrMissingPathTokenIs404AndStoresNothingAndTheTokenIsNeverLogged() throws Exception {
        String id = imagine.newItem("x", 4);
        imagine.set(id, "completed", 100);
        String task = runblob.newItem("x", 1);
        runblob.set(task, "completed", null);
        int calls = imagine.apiCalls() + runblob.apiCalls();
        String[] wrong = { IMAGINE_TOKEN.substring(1) + "x", IMAGINE_TOKEN + "x", RUNBLOB_TOKEN, "x" };
        for (String token : wrong) {
            HttpResponse<String> answer = post(baseUrl() + "/webhooks/imagineapi/" + token, imagine.callbackBody(id, "completed", 100));
            assertThat(answer.statusCode()).as(token).isEqualTo(404);
            assertThat(answer.body()).isEqualTo("{\"error\":\"not_found\"}");
        }
        assertThat(post(baseUrl() + "/webhooks/runblob/" + IMAGINE_TOKEN, runblob.callbackBody(task, "completed", null)).statusCode())
                .isEqualTo(404);
        // no token at all: no such path
        assertThat(post(baseUrl() + "/webhooks/imagineapi/", imagine.callbackBody(id, "completed", 100)).statusCode()).isEqualTo(404);
        assertThat(post(baseUrl() + "/webhooks/runblob", runblob.callbackBody(task, "completed", null)).statusCode()).isEqualTo(404);

        assertThat(imagine.apiCalls() + runblob.apiCalls()).isEqualTo(calls);
        assertThat(store().find("imagineapi/" + id)).isEmpty();
        assertThat(store().find("runblob/" + task)).isEmpty();
        // with a good token too: whatever was logged so far never carries either token
        post(imagineUrl(), imagine.callbackBody(id, "in-progress", 10));
        post(imagineUrl(), "{".getBytes(StandardCharsets.UTF_8));
        for (LogCapture log : logs) {
            assertThat(log.lines()).noneMatch(l -> l.contains(IMAGINE_TOKEN) || l.contains(RUNBLOB_TOKEN));
        }
    }

    @Test
    void aCompletionTheApiDeniesArchivesNothing() throws Exception {
        for (String lie : new String[] { "pending", "unknown" }) {
            var sent = imagine.send(imagineUrl(), lie, false);
            assertThat(sent.get(4).status()).as(lie).isEqualTo(409);
            assertThat(sent.get(4).body()).isEqualTo("{\"error\":\"unconfirmed\"}");
            var blob = runblob.send(runblobUrl(), lie, false);
            assertThat(blob.get(0).status()).as(lie).isEqualTo(409);
        }
        // a forged completion for an item the API says is still running
        String id = imagine.newItem("x", 4);
        imagine.set(id, "in-progress", 75);
        assertThat(post(imagineUrl(), imagine.callbackBody(id, "completed", 100)).statusCode()).isEqualTo(409);
        String task = runblob.newItem("x", 1);
        assertThat(post(runblobUrl(), runblob.callbackBody(task, "completed", null)).statusCode()).isEqualTo(409);
        Thread.sleep(500);
        assertThat(store().find("imagineapi/" + id)).isEmpty();
        assertThat(store().find("runblob/" + task)).isEmpty();
        assertThat(s3.keys(BUCKET, PREFIX + "imagineapi/" + id + "/")).isEmpty();
        // the provider's retry once its API agrees is accepted: the refusal was not remembered as handled
        imagine.set(id, "completed", 100);
        assertThat(post(imagineUrl(), imagine.callbackBody(id, "completed", 100)).body()).isEqualTo("{\"status\":\"accepted\"}");
        awaitState("imagineapi/" + id, GenerationState.ARCHIVED, WITHIN);
    }

    @Test
    void theApiDownIs503AndARetryLaterSucceeds() throws Exception {
        String id = imagine.newItem("x", 4);
        imagine.set(id, "completed", 100);
        imagine.failApiCalls(1);
        HttpResponse<String> down = post(imagineUrl(), imagine.callbackBody(id, "completed", 100));
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).isEqualTo("{\"error\":\"confirmation_unavailable\"}");
        assertThat(store().find("imagineapi/" + id)).isEmpty();
        assertThat(post(imagineUrl(), imagine.callbackBody(id, "completed", 100)).body()).isEqualTo("{\"status\":\"accepted\"}");

        String task = runblob.newItem("x", 1);
        runblob.set(task, "completed", null);
        runblob.failApiCalls(1);
        assertThat(post(runblobUrl(), runblob.callbackBody(task, "completed", null)).statusCode()).isEqualTo(503);
        assertThat(store().find("runblob/" + task)).isEmpty();
        assertThat(post(runblobUrl(), runblob.callbackBody(task, "completed", null)).body()).isEqualTo("{\"status\":\"accepted\"}");
        awaitState("runblob/" + task, GenerationState.ARCHIVED, WITHIN);
    }

    @Test
    void badBodiesAre400() {
        HttpResponse<String> malformed = post(imagineUrl(), "{\"event\":".getBytes(StandardCharsets.UTF_8));
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).isEqualTo("{\"error\":\"invalid_json\"}");
        assertThat(post(runblobUrl(), "[1]".getBytes(StandardCharsets.UTF_8)).body()).isEqualTo("{\"error\":\"invalid_json\"}");
        HttpResponse<String> badId = post(imagineUrl(),
                "{\"event\":\"images.items.update\",\"payload\":{\"id\":\"../etc\",\"status\":\"completed\"}}".getBytes(StandardCharsets.UTF_8));
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badId.body()).isEqualTo("{\"error\":\"invalid_provider_id\"}");
        assertThat(post(runblobUrl(), "{\"task_uuid\":\"a/b\",\"status\":\"completed\"}".getBytes(StandardCharsets.UTF_8)).body())
                .isEqualTo("{\"error\":\"invalid_provider_id\"}");
    }

    @Test
    void aFailureIsRecordedWithTheFixedReason() throws Exception {
        var sent = imagine.send(imagineUrl(), null, true);
        assertThat(sent).allMatch(s -> s.status() == 200);
        var blob = runblob.send(runblobUrl(), null, true);
        assertThat(blob.get(0).status()).isEqualTo(200);
        GenerationRecord row = awaitState("imagineapi/" + imagine.lastItemId(), GenerationState.FAILED, WITHIN);
        assertThat(row.error()).isEqualTo("imagineapi_failed");
        GenerationRecord task = awaitState("runblob/" + runblob.lastItemId(), GenerationState.FAILED, WITHIN);
        assertThat(task.error()).isEqualTo("runblob_failed");
    }

    @Test
    void anUnconfirmedFailureGivesWayToACompletionTheApiConfirms() throws Exception {
        String id = imagine.newItem("a forged failure", 1);
        // anyone with the path token can say failed; nobody confirmed it
        assertThat(post(imagineUrl(), imagine.callbackBody(id, "failed", null)).body())
                .isEqualTo("{\"status\":\"recorded\"}");
        assertThat(awaitState("imagineapi/" + id, GenerationState.FAILED, WITHIN).error()).isEqualTo("imagineapi_failed");

        imagine.set(id, "completed", 100);
        assertThat(post(imagineUrl(), imagine.callbackBody(id, "completed", 100)).body())
                .isEqualTo("{\"status\":\"accepted\"}");

        awaitState("imagineapi/" + id, GenerationState.ARCHIVED, WITHIN);
        assertThat(stored("imagineapi", id)).isNotEmpty();
    }

    @Test
    void theStoreDownIs503() throws Exception {
        String id = imagine.newItem("x", 4);
        imagine.set(id, "in-progress", 30);
        database.close();
        try {
            HttpResponse<String> answer = post(imagineUrl(), imagine.callbackBody(id, "in-progress", 30));
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.body()).isEqualTo("{\"error\":\"store_unavailable\"}");
        } finally {
            database.open();
            // the store retries its connection after a short pause: wait for it, bounded
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    store().find("runblob/back");
                    break;
                } catch (RuntimeException stillDown) {
                    Thread.sleep(200);
                }
            }
        }
    }
}
