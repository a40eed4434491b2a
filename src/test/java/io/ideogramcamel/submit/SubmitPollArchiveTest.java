package io.ideogramcamel.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.LogCapture;
import io.ideogramcamel.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path of a generation the bundle asks for, against real parts: the local Ideogram
 * stand-in (which really signs its webhooks, serves polls and PNGs, and enforces its in-flight
 * limit), s3proxy as the bucket, and an H2 file store. Polling starts one second after a
 * submission, so most generations are found both ways: each image must still be fetched once.
 */
class SubmitPollArchiveTest extends BundleTestSupport {

    private static final String BUCKET = "submit-test";
    private static final Duration WITHIN = Duration.ofSeconds(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalIdeogram local;
    private S3ProxyServer s3;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-submit-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        local = LocalIdeogram.builder().completionDelayMillis(1500).maxInflightImages(10).start();
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        properties.set("ideogram.api-url", local.baseUrl())
                .set("ideogram.jwks-url", local.jwksUrl())
                .set("ideogram.api-key", local.apiKey())
                .set("ideogram.webhook.public-url", "http://127.0.0.1:" + serverPort + "/webhooks/ideogram")
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("ideogram.max-inflight-images", "10")
                .set("ideogram.submit.dispatch-interval-millis", "200")
                .set("ideogram.submit.timeout-millis", "1500")
                .set("ideogram.submit.retry.initial-delay-seconds", "1")
                .set("ideogram.submit.retry.max-delay-seconds", "2")
                .set("ideogram.poll.interval-seconds", "1")
                .set("ideogram.poll.after-seconds", "1")
                .set("ideogram.poll.retry.initial-delay-seconds", "1")
                .set("ideogram.poll.retry.max-delay-seconds", "2")
                .set("storage.s3.bucket", BUCKET)
                .set("storage.s3.endpoint", s3.endpoint())
                .set("aws.accessKeyId", "test")
                .set("aws.secretAccessKey", "test")
                .set("archive.redrive-interval-millis", "500");
    }

    @AfterAll
    void stopServers() throws IOException {
        closeQuietly(local);
        closeQuietly(s3);
    }

    private HttpResponse<String> submit(String json) {
        return submit(json, Map.of());
    }

    private HttpResponse<String> submit(String json, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("Content-Type", "application/json");
        return Http.post(baseUrl() + "/generations", all, json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private JsonNode status(String id) throws IOException {
        HttpResponse<String> response = Http.get(baseUrl() + "/generations/" + id);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(100);
        }
    }

    private void assertEachImageFetchedOnce(String generationId, int images) {
        for (int i = 0; i < images; i++) {
            assertThat(local.imageFetches(generationId, i)).as("fetches of image " + i).isEqualTo(1);
        }
    }

    @Test
    void aSubmittedGenerationIsDeliveredByWebhookAndArchivedOnce() throws Exception {
        HttpResponse<String> response = submit("{\"text_prompt\":\"a lighthouse at dusk\",\"num_images\":2}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("Api-Key"));
        JsonNode answer = json(response);
        assertThat(answer.path("state").asText()).isEqualTo("submitted");
        String id = answer.path("generation_id").asText();
        assertThat(local.generationIds()).contains(id);

        GenerationRecord row = awaitState(id, GenerationState.ARCHIVED, WITHIN);
        assertThat(row.queuedId()).isEqualTo(answer.path("queued_id").asText());
        assertEachImageFetchedOnce(id, 2);
        assertThat(s3.writeCount(BUCKET, "generations/" + id + "/manifest.json")).isEqualTo(1);
        JsonNode status = status(answer.path("queued_id").asText());
        assertThat(status.path("generation_id").asText()).isEqualTo(id);
        assertThat(status.path("state").asText()).isEqualTo("archived");
        assertThat(status.path("images")).hasSize(2);
        assertThat(status.path("images").get(0).asText()).isEqualTo("generations/" + id + "/0.png");
    }

    @Test
    void aDroppedWebhookIsMadeUpForByPolling() throws Exception {
        JsonNode answer = json(submit("{\"text_prompt\":\"a quiet harbour #drop-webhook\"}"));
        String id = answer.path("generation_id").asText();

        GenerationRecord row = awaitState(id, GenerationState.ARCHIVED, WITHIN);

        assertThat(row.source()).isEqualTo("poll");
        assertThat(local.webhookAttempts(id)).isEmpty();
        assertThat(local.pollCount(id)).isGreaterThanOrEqualTo(1);
        assertEachImageFetchedOnce(id, 1);
        assertThat(status(id).path("source").asText()).isEqualTo("poll");
    }

    @Test
    void aRateLimitedPollWaitsForRetryAfterBeforePollingAgain() throws Exception {
        local.rejectNextPolls(1, 3);
        long start = System.nanoTime();
        String id = json(submit("{\"text_prompt\":\"polled politely #drop-webhook\"}")).path("generation_id").asText();

        awaitState(id, GenerationState.ARCHIVED, WITHIN);

        // first poll after about 1 s is refused; without the pause the next would follow 1 s later
        assertThat(local.pollCount(id)).isGreaterThanOrEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void aGenerationIdeogramFailsIsFailedInTheStatusApi() throws Exception {
        String id = json(submit("{\"text_prompt\":\"never mind #fail\"}")).path("generation_id").asText();

        GenerationRecord row = awaitState(id, GenerationState.FAILED, WITHIN);

        assertThat(row.error()).startsWith("ideogram_");
        JsonNode status = status(id);
        assertThat(status.path("state").asText()).isEqualTo("failed");
        assertThat(status.path("error").asText()).isEqualTo(row.error());
        HttpResponse<String> failed = Http.get(baseUrl() + "/generations?state=failed&limit=500");
        assertThat(failed.statusCode()).isEqualTo(200);
        assertThat(failed.body()).contains(id);
    }

    @Test
    void elevenImagesWithABudgetOfTenNeverExceedTenInFlightAndAllAreArchived() throws Exception {
        int callsBefore = local.submitCalls();
        List<JsonNode> answers = new ArrayList<>();
        for (int images : new int[] { 4, 4, 3 }) {
            HttpResponse<String> response = submit("{\"text_prompt\":\"a budget test\",\"num_images\":" + images + "}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            answers.add(json(response));
        }

        // 4 + 4 fit, 3 more would make 11: the third waits in the store
        assertThat(answers.get(2).path("state").asText()).isEqualTo("queued");
        String queuedId = answers.get(2).path("queued_id").asText();
        assertThat(status(queuedId).path("state").asText()).isEqualTo("queued");

        await(WITHIN, () -> answers.stream().allMatch(a -> isArchived(a.path("queued_id").asText())));
        assertThat(local.maxInflightImagesSeen()).isLessThanOrEqualTo(10);
        // sent once each, and never refused for the in-flight limit
        assertThat(local.submitCalls() - callsBefore).isEqualTo(3);
        String sentLater = status(queuedId).path("generation_id").asText();
        assertEachImageFetchedOnce(sentLater, 3);
    }

    @Test
    void queuedSubmissionsSentTogetherByTheDispatcherAreEachRecordedSent() throws Exception {
        int callsBefore = local.submitCalls();
        List<JsonNode> answers = new ArrayList<>();
        // 8 + 2 fill the budget of 10; the three after them wait, and when the first two complete
        // one dispatcher tick finds room for all three and sends them on one exchange
        for (int images : new int[] { 8, 2, 1, 1, 1 }) {
            HttpResponse<String> response = submit("{\"text_prompt\":\"one tick\",\"num_images\":" + images + "}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            answers.add(json(response));
        }
        assertThat(answers.subList(2, 5)).allMatch(a -> "queued".equals(a.path("state").asText()));

        await(WITHIN, () -> answers.stream().allMatch(a -> isArchived(a.path("queued_id").asText())));
        assertThat(local.submitCalls() - callsBefore).isEqualTo(5);
        for (JsonNode answer : answers) {
            assertThat(status(answer.path("queued_id").asText()).path("generation_id").asText()).isNotEmpty();
        }
    }

    private boolean isArchived(String queuedId) {
        try {
            return "archived".equals(status(queuedId).path("state").asText());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRateLimitedSubmissionWaitsForRetryAfterAndIsSentOnce() throws Exception {
        int callsBefore = local.submitCalls();
        local.rejectNextSubmits(1, 2);
        long start = System.nanoTime();

        HttpResponse<String> response = submit("{\"text_prompt\":\"rate limited\"}");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode answer = json(response);
        assertThat(answer.path("state").asText()).isEqualTo("queued");
        String queuedId = answer.path("queued_id").asText();
        assertThat(status(queuedId).path("last_error").asText()).isEqualTo("rate_limited");
        await(WITHIN, () -> local.submitCalls() - callsBefore == 2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        await(WITHIN, () -> isArchived(queuedId));
        assertThat(local.submitCalls() - callsBefore).isEqualTo(2);
    }

    @Test
    void aSubmissionWhoseAnswerTimesOutIsNeverSentAgainAndItsResultIsStillArchived() throws Exception {
        int callsBefore = local.submitCalls();
        int generationsBefore = local.generationIds().size();
        local.delayNextSubmitAnswers(1, Duration.ofSeconds(4));

        HttpResponse<String> response = submit("{\"text_prompt\":\"slow answer\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode answer = json(response);
        assertThat(answer.path("state").asText()).isEqualTo("unknown");
        assertThat(answer.path("error").asText()).isEqualTo(IdeogramSubmitCall.OUTCOME_UNKNOWN);
        // Ideogram ran it: its webhook arrives, and the generation is archived as one it did not know
        await(WITHIN, () -> local.generationIds().size() > generationsBefore);
        String id = local.generationIds().get(generationsBefore);
        awaitState(id, GenerationState.ARCHIVED, WITHIN);
        // a dozen dispatcher ticks later, still one call
        Thread.sleep(2500);
        assertThat(local.submitCalls() - callsBefore).isEqualTo(1);
        assertThat(status(answer.path("queued_id").asText()).path("state").asText()).isEqualTo("unknown");
    }

    @Test
    void aRepeatedIdempotencyKeyGetsTheFirstAnswerAndSubmitsOnce() throws Exception {
        int callsBefore = local.submitCalls();
        Map<String, String> key = Map.of("Idempotency-Key", "order-4711");

        HttpResponse<String> first = submit("{\"text_prompt\":\"once only\"}", key);
        HttpResponse<String> again = submit("{\"text_prompt\":\"once only\"}", key);
        HttpResponse<String> other = submit("{\"text_prompt\":\"something else\"}", key);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(json(other).path("error").asText()).isEqualTo("idempotency_key_reused");
        assertThat(local.submitCalls() - callsBefore).isEqualTo(1);
    }

    @Test
    void requestsIdeogramRefusesGetAClearAnswerAndAreRecordedFailed() throws Exception {
        HttpResponse<String> funds;
        HttpResponse<String> unsafe;
        try (LogCapture audit = LogCapture.of("io.ideogramcamel.audit")) {
            funds = submit("{\"text_prompt\":\"costly #no-funds\"}");
            unsafe = submit("{\"text_prompt\":\"refused #unsafe-prompt\"}");

            // the audit line names why, where a generation_id would be for a sent one
            assertThat(audit.lines()).contains(
                    "INFO submission sent outcome=failed status=402 queued_id=" + json(funds).path("queued_id").asText()
                            + " reason=insufficient_funds",
                    "INFO submission sent outcome=failed status=422 queued_id=" + json(unsafe).path("queued_id").asText()
                            + " reason=prompt_rejected");
            assertThat(audit.lines()).noneMatch(l -> l.endsWith("generation_id="));
        }

        assertThat(funds.statusCode()).isEqualTo(402);
        assertThat(json(funds).path("error").asText()).isEqualTo("insufficient_funds");
        assertThat(unsafe.statusCode()).isEqualTo(422);
        assertThat(json(unsafe).path("error").asText()).isEqualTo("prompt_rejected");
        String queuedId = json(unsafe).path("queued_id").asText();
        assertThat(status(queuedId).path("state").asText()).isEqualTo("failed");
        assertThat(Http.get(baseUrl() + "/generations?state=failed").body()).contains(queuedId);
    }

    @Test
    void invalidRequestsAreRefusedWithTheFieldNamedAndNothingIsSent() throws Exception {
        int callsBefore = local.submitCalls();
        Map<String, String> cases = Map.of(
                "{\"resolution\":\"1024x1024\"}", "text_prompt",
                "{\"text_prompt\":\"a\",\"json_prompt\":{\"scene\":\"b\"}}", "json_prompt",
                "{\"text_prompt\":\"a\",\"resolution\":\"huge\"}", "resolution",
                "{\"text_prompt\":\"a\",\"rendering_speed\":\"LUDICROUS\"}", "rendering_speed",
                "{\"text_prompt\":\"a\",\"num_images\":11}", "num_images",
                "{\"text_prompt\":\"a\",\"webhook_url\":\"https://evil.example\"}", "webhook_url");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> response = submit(c.getKey());
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(json(response).path("field").asText()).as(c.getKey()).isEqualTo(c.getValue());
        }
        HttpResponse<String> notJson = submit("{\"text_prompt\":");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).isEqualTo("{\"error\":\"invalid_json\"}");
        assertThat(local.submitCalls()).isEqualTo(callsBefore);
        assertThat(Http.get(baseUrl() + "/generations?state=queued").body()).isEqualTo("{\"generations\":[]}");
    }

    @Test
    void theStatusApiAnswers404ForAnUnknownIdAnd400ForABadQuery() {
        HttpResponse<String> unknown = Http.get(baseUrl() + "/generations/no-such-generation");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("{\"error\":\"not_found\"}");
        assertThat(Http.get(baseUrl() + "/generations?state=lost").statusCode()).isEqualTo(400);
        assertThat(Http.get(baseUrl() + "/generations?state=failed&limit=0").statusCode()).isEqualTo(400);
        assertThat(Http.get(baseUrl() + "/generations").statusCode()).isEqualTo(400);
    }
}
