package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bundle as it runs, with the local Ideogram stand-in and an H2 file store: what a caller
 * attaches to POST /generations is checked before anything is stored or sent, kept but never sent
 * to Ideogram, shown by GET and in the manifest, and carried by the generation's event, which the
 * outbox holds from the moment the generation ended (completed, or failed for a #fail prompt).
 */
class EventsWrittenBundleTest extends BundleTestSupport {

    private static final Duration WITHIN = Duration.ofSeconds(40);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALLBACK = "http://127.0.0.1:9/callback?ref=abc";

    private LocalIdeogram local;
    private Path images;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-events-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        local = LocalIdeogram.builder().completionDelayMillis(300).maxInflightImages(10).start();
        images = Files.createTempDirectory("ideogram-events-images-");
        properties.set("ideogram.api-url", local.baseUrl())
                .set("ideogram.jwks-url", local.jwksUrl())
                .set("ideogram.api-key", local.apiKey())
                .set("ideogram.webhook.public-url", "http://127.0.0.1:" + serverPort + "/webhooks/ideogram")
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("ideogram.poll.interval-seconds", "1")
                .set("ideogram.poll.after-seconds", "1")
                .set("ideogram.poll.retry.initial-delay-seconds", "1")
                .set("ideogram.poll.retry.max-delay-seconds", "2")
                .set("archive.redrive-interval-millis", "500")
                .set("storage.dir", images.toString())
                .set("events.destinations", "log:events")
                // only the outbox is checked here: no dispatch runs while the class does, so no delivery
                // keeps retrying against the unreachable callback in the background
                .set("events.dispatch.interval-millis", "3600000")
                .set("events.signing-secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .set("events.callback.allow-http", "true")
                .set("events.callback.allow-private-hosts", "true");
    }

    @AfterAll
    void stopServers() throws IOException {
        closeQuietly(local);
    }

    private HttpResponse<String> submit(String json) {
        return Http.post(baseUrl() + "/generations", Map.of("Content-Type", "application/json"),
                json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void attachedFieldsAreKeptNotSentShownInGetAndTheManifestAndCarriedByTheCompletedEvent() throws Exception {
        int bodiesBefore = local.submitBodies().size();
        HttpResponse<String> response = submit("{\"text_prompt\":\"a lighthouse\",\"num_images\":2,"
                + "\"callback_url\":\"" + CALLBACK + "\",\"metadata\":{\"order\":\"A-17\",\"team\":\"blue\"}}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode answer = JSON.readTree(response.body());
        String id = answer.path("generation_id").asText();
        String queuedId = answer.path("queued_id").asText();
        List<String> sent = local.submitBodies().subList(bodiesBefore, local.submitBodies().size());
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0)).contains("a lighthouse").doesNotContain("callback_url").doesNotContain("metadata")
                .doesNotContain("A-17").doesNotContain("ref=abc");

        awaitState(id, GenerationState.ARCHIVED, WITHIN);

        JsonNode metadata = JSON.readTree("{\"order\":\"A-17\",\"team\":\"blue\"}");
        for (String lookup : List.of(id, queuedId)) {
            JsonNode status = JSON.readTree(Http.get(baseUrl() + "/generations/" + lookup).body());
            assertThat(status.path("metadata")).isEqualTo(metadata);
            assertThat(status.path("callback_url").asText()).isEqualTo(CALLBACK);
        }
        JsonNode manifest = JSON.readTree(manifestOf(id).toFile());
        assertThat(manifest.path("metadata")).isEqualTo(metadata);

        List<JsonNode> events = envelopes(id);
        assertThat(events).hasSize(1);
        JsonNode event = events.get(0);
        assertThat(event.path("type").asText()).isEqualTo("generation.completed");
        assertThat(event.at("/data/queued_id").asText()).isEqualTo(queuedId);
        assertThat(event.at("/data/metadata")).isEqualTo(metadata);
        assertThat(event.at("/data/images")).isEqualTo(manifest.path("images")).hasSize(2);
        assertThat(event.at("/data/manifest_key").asText()).endsWith(id + "/manifest.json");
        assertThat(destinations(event.path("id").asText())).containsExactlyInAnyOrder("log:events", "callback_url");
    }

    @Test
    void aFailedGenerationIsAFailedEventWithItsMetadata() throws Exception {
        HttpResponse<String> response = submit("{\"text_prompt\":\"never mind #fail\",\"metadata\":{\"order\":\"B-2\"}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String id = JSON.readTree(response.body()).path("generation_id").asText();

        awaitState(id, GenerationState.FAILED, WITHIN);

        List<JsonNode> events = envelopes(id);
        assertThat(events).hasSize(1);
        JsonNode data = events.get(0).path("data");
        assertThat(events.get(0).path("type").asText()).isEqualTo("generation.failed");
        assertThat(data.path("generation_id").asText()).isEqualTo(id);
        assertThat(data.path("error").asText()).startsWith("ideogram_");
        assertThat(data.path("metadata")).isEqualTo(JSON.readTree("{\"order\":\"B-2\"}"));
        // no callback_url was given: the global destination only
        assertThat(destinations(events.get(0).path("id").asText())).containsExactly("log:events");
    }

    @Test
    void aSubmissionIdeogramRefusesIsAFailedEventWithoutAGenerationAndItsMetadataStaysVisible() throws Exception {
        HttpResponse<String> response = submit("{\"text_prompt\":\"a horse #no-funds\",\"callback_url\":\""
                + CALLBACK + "\",\"metadata\":{\"order\":\"C-3\"}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(402);
        String queuedId = JSON.readTree(response.body()).path("queued_id").asText();

        JsonNode status = JSON.readTree(Http.get(baseUrl() + "/generations/" + queuedId).body());
        assertThat(status.path("state").asText()).isEqualTo("failed");
        assertThat(status.path("metadata")).isEqualTo(JSON.readTree("{\"order\":\"C-3\"}"));
        assertThat(status.path("callback_url").asText()).isEqualTo(CALLBACK);

        List<JsonNode> events = envelopesOfSubmission(queuedId);
        assertThat(events).hasSize(1);
        JsonNode data = events.get(0).path("data");
        assertThat(events.get(0).path("type").asText()).isEqualTo("generation.failed");
        assertThat(data.has("generation_id")).isFalse();
        assertThat(data.path("queued_id").asText()).isEqualTo(queuedId);
        assertThat(data.path("error").asText()).isEqualTo("insufficient_funds");
        assertThat(destinations(events.get(0).path("id").asText())).containsExactlyInAnyOrder("log:events",
                "callback_url");
    }

    @Test
    void aRepeatedIdempotencyKeyWithOtherMetadataIsRefused() throws Exception {
        Map<String, String> headers = Map.of("Content-Type", "application/json", "Idempotency-Key", "events-key-1");
        String first = "{\"text_prompt\":\"a cat\",\"metadata\":{\"order\":\"1\"}}";
        String other = "{\"text_prompt\":\"a cat\",\"metadata\":{\"order\":\"2\"}}";
        assertThat(Http.post(baseUrl() + "/generations", headers, first.getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(202);
        assertThat(Http.post(baseUrl() + "/generations", headers, first.getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(202);
        assertThat(Http.post(baseUrl() + "/generations", headers, other.getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(422);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"callback_url\":\"ftp://127.0.0.1/cb\"|callback_url",
            "\"callback_url\":\"http://user:pw@127.0.0.1/cb\"|callback_url",
            "\"callback_url\":\"not a url\"|callback_url",
            "\"metadata\":{\"n\":1}|metadata",
            "\"metadata\":[\"a\"]|metadata",
    })
    void anInvalidFieldIs400NamingItAndNothingIsStoredOrSent(String field, String name) throws Exception {
        int submissionsBefore = count("submission");
        int callsBefore = local.submitCalls();

        HttpResponse<String> response = submit("{\"text_prompt\":\"a fox\"," + field + "}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("field").asText()).isEqualTo(name);
        assertThat(count("submission")).isEqualTo(submissionsBefore);
        assertThat(local.submitCalls()).isEqualTo(callsBefore);
    }

    @Test
    void metadataOver4KiBIsRefused() throws Exception {
        int submissionsBefore = count("submission");
        HttpResponse<String> response = submit("{\"text_prompt\":\"a fox\",\"metadata\":{\"k\":\"" + "x".repeat(4100)
                + "\"}}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"invalid_field\",\"field\":\"metadata\"}");
        assertThat(count("submission")).isEqualTo(submissionsBefore);
    }

    private Path manifestOf(String id) throws IOException {
        try (var paths = Files.walk(images)) {
            return paths.filter(p -> p.endsWith(Path.of(id, "manifest.json"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no manifest for " + id));
        }
    }

    private List<JsonNode> envelopes(String generationId) throws SQLException, IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Connection c = store().connection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT envelope FROM event_outbox WHERE generation_id = ? ORDER BY created_at")) {
            ps.setString(1, generationId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(JSON.readTree(rs.getString(1)));
                }
            }
        }
        return out;
    }

    private List<JsonNode> envelopesOfSubmission(String queuedId) throws SQLException, IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Connection c = store().connection();
                PreparedStatement ps = c.prepareStatement("SELECT envelope FROM event_outbox WHERE queued_id = ?")) {
            ps.setString(1, queuedId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(JSON.readTree(rs.getString(1)));
                }
            }
        }
        return out;
    }

        private List<String> destinations(String eventId) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = store().connection();
                PreparedStatement ps = c.prepareStatement("SELECT destination FROM event_delivery WHERE event_id = ?")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private int count(String table) throws SQLException {
        try (Connection c = store().connection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
