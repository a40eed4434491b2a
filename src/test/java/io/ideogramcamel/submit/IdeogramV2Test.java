package io.ideogramcamel.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * ideogram.api-version=v2 through the whole bundle against the local stand-in: submissions go to
 * {@code POST /v2/image/generate/ideogram-4} (no webhook_url here, so with {@code "async": true},
 * which the stand-in insists on), polls to {@code GET /v2/generations/{id}}, and the cost of a
 * completed answer shows in the status API and in manifest.json.
 */
class IdeogramV2Test extends BundleTestSupport {

    private static final Duration WITHIN = Duration.ofSeconds(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalIdeogram local;
    private Path folder;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-v2-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        local = LocalIdeogram.builder().completionDelayMillis(500).start();
        folder = Files.createTempDirectory("ideogram-v2-images-");
        properties.set("ideogram.api-version", "v2")
                .set("ideogram.api-url", local.baseUrl())
                .set("ideogram.jwks-url", local.jwksUrl())
                .set("ideogram.api-key", local.apiKey())
                // no ideogram.webhook.public-url (the default): found by polling, and v2 is asked for "async": true
                .set("storage.dir", folder.toString())
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("ideogram.submit.dispatch-interval-millis", "200")
                .set("ideogram.poll.interval-seconds", "1")
                .set("ideogram.poll.after-seconds", "1")
                .set("ideogram.poll.retry.initial-delay-seconds", "1")
                .set("ideogram.poll.retry.max-delay-seconds", "2")
                .set("archive.redrive-interval-millis", "500");
    }

    @AfterAll
    void stopServers() throws IOException {
        closeQuietly(local);
    }

    private HttpResponse<String> submit(String json) {
        return Http.post(baseUrl() + "/generations", Map.of("Content-Type", "application/json"),
                json.getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode status(String id) throws IOException {
        HttpResponse<String> response = Http.get(baseUrl() + "/generations/" + id);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void aGenerationIsSubmittedPolledAndArchivedOverV2WithItsCost() throws Exception {
        HttpResponse<String> response = submit("{\"text_prompt\":\"a lighthouse over v2\",\"num_images\":2}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("state").asText()).isEqualTo("submitted");
        String id = answer.path("generation_id").asText();

        GenerationRecord row = awaitState(id, GenerationState.ARCHIVED, WITHIN);

        assertThat(row.source()).isEqualTo("poll");
        assertThat(row.costMicros()).isEqualTo(80_000L);
        Map<String, Integer> calls = local.apiCalls();
        assertThat(calls).containsKeys("POST /v2/image/generate/ideogram-4", "GET /v2/generations/");
        assertThat(calls.keySet()).noneMatch(k -> k.contains("/v1/"));
        JsonNode status = status(answer.path("queued_id").asText());
        assertThat(status.path("state").asText()).isEqualTo("archived");
        assertThat(status.path("usage_cost_usd_micros").isIntegralNumber()).as(status.toString()).isTrue();
        assertThat(status.path("usage_cost_usd_micros").asLong()).isEqualTo(80_000L);
        assertThat(status.path("images")).hasSize(2);
        JsonNode manifest = JSON.readTree(folder.resolve("generations").resolve(id).resolve("manifest.json").toFile());
        assertThat(manifest.path("usage_cost_usd_micros").asLong()).isEqualTo(80_000L);
        assertThat(manifest.path("source").asText()).isEqualTo("poll");
    }

    @Test
    void aV2FailureIsRecordedWithItsReasonAndNoCost() throws Exception {
        HttpResponse<String> response = submit("{\"text_prompt\":\"never mind #fail\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String id = JSON.readTree(response.body()).path("generation_id").asText();

        GenerationRecord row = awaitState(id, GenerationState.FAILED, WITHIN);

        assertThat(row.error()).startsWith("ideogram_");
        assertThat(row.costMicros()).isNull();
        JsonNode status = status(id);
        assertThat(status.path("error").asText()).isEqualTo(row.error());
        assertThat(status.has("usage_cost_usd_micros")).isFalse();
    }
}
