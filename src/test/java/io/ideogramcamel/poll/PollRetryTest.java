package io.ideogramcamel.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;

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
 * A generation the poller gave up on for want of news (here: Ideogram had answered 404) goes back
 * to SUBMITTED with POST /generations/{id}/retry, and the poller then finds its result at the local
 * Ideogram stand-in and it is archived (its webhook is dropped, so only the poll can bring it).
 */
class PollRetryTest extends BundleTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalIdeogram local;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-poll-retry-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        local = LocalIdeogram.builder().completionDelayMillis(200).maxInflightImages(10).start();
        properties.set("ideogram.api-url", local.baseUrl())
                .set("ideogram.jwks-url", local.jwksUrl())
                .set("ideogram.api-key", local.apiKey())
                .set("ideogram.webhook.public-url", "http://127.0.0.1:" + serverPort + "/webhooks/ideogram")
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("ideogram.poll.interval-seconds", "1")
                // a fresh submission waits this long for its first poll: the test fails it by hand before
                .set("ideogram.poll.after-seconds", "60")
                .set("archive.redrive-interval-millis", "500");
    }

    @AfterAll
    void stopStandIn() throws IOException {
        closeQuietly(local);
    }

    @Test
    void aRetriedGenerationIsPolledAgainAndArchived() throws Exception {
        HttpResponse<String> submitted = Http.post(baseUrl() + "/generations", Map.of("Content-Type", "application/json"),
                "{\"text_prompt\":\"a harbour at night #drop-webhook\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String id = JSON.readTree(submitted.body()).path("generation_id").asText();
        // as the poller records a 404: FAILED, unknown_at_ideogram
        try (Connection c = store().connection();
                PreparedStatement ps = c.prepareStatement("UPDATE generation SET state = 'FAILED', "
                        + "error = 'unknown_at_ideogram', next_attempt_at = NULL WHERE generation_id = ? "
                        + "AND state = 'SUBMITTED' AND lease_owner IS NULL")) {
            ps.setString(1, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }

        HttpResponse<String> retried = Http.post(baseUrl() + "/generations/" + id + "/retry", Map.of(), new byte[0]);

        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
        assertThat(retried.body()).isEqualTo("{\"generation_id\":\"" + id + "\",\"state\":\"submitted\"}");
        GenerationRecord archived = awaitState(id, GenerationState.ARCHIVED, Duration.ofSeconds(30));
        assertThat(archived.source()).isEqualTo("poll");
    }
}
