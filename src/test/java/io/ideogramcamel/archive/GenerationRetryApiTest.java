package io.ideogramcamel.archive;

import static io.ideogramcamel.testing.IdeogramStandIn.image;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.ImageHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * POST /generations/{id}/retry through HTTP, behind the API token: a generation whose archive
 * failed on a dead link goes back to RECEIVED and is archived once the link works; the refusals
 * are 409 with their token, an unknown id 404.
 */
class GenerationRetryApiTest extends BundleTestSupport {

    private static final String TOKEN = "retry-test-token-of-at-least-32-chars";
    private static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + TOKEN);

    private ImageHost images;
    private Path folder;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-retry-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        images = ImageHost.start("127.0.0.1");
        folder = Files.createTempDirectory("ideogram-retry-folder-");
        properties.set("api.token", TOKEN)
                .set("storage.dir", folder.toString())
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("archive.redrive-interval-millis", "300")
                // a generation retried back to submitted is due at once: no poll may run meanwhile,
                // and none may ever leave the machine
                .set("ideogram.api-url", "http://127.0.0.1:9")
                .set("ideogram.poll.interval-seconds", "3600");
    }

    @AfterAll
    void stopImageHost() throws IOException {
        closeQuietly(images);
    }

    private HttpResponse<String> retry(String path, Map<String, String> headers) {
        return Http.post(baseUrl() + "/generations/" + path + "/retry", headers, new byte[0]);
    }

    private void insertFailed(String id, String error, long receivedAgoMillis) throws Exception {
        long now = System.currentTimeMillis();
        try (Connection c = store().connection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO generation (generation_id, state, error, images, received_at, submitted_at, updated_at) "
                    + "VALUES ('" + id + "', 'FAILED', '" + error + "', "
                    + (receivedAgoMillis < 0 ? "NULL, NULL" : "'[]', " + (now - receivedAgoMillis)) + ", "
                    + (now - 3_600_000L) + ", " + now + ")");
        }
    }

    @Test
    void aGenerationWhoseLinkWasDeadIsArchivedAfterARetry() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        images.status("/" + id + "/0", 404);
        byte[] body = IdeogramStandIn.deliveryBody(id, image(images.url("/" + id + "/0"), true, 1));
        assertThat(deliver(ideogram.sign(id, body), body).statusCode()).isEqualTo(200);
        GenerationRecord failed = awaitState(id, GenerationState.FAILED, Duration.ofSeconds(30));
        assertThat(failed.error()).isEqualTo("image_http_404");

        images.png("/" + id + "/0", ArchiveToS3Test.png(7));
        HttpResponse<String> response = retry(id, AUTH);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"generation_id\":\"" + id + "\",\"state\":\"received\"}");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("Authorization")).isEmpty();
        awaitState(id, GenerationState.ARCHIVED, Duration.ofSeconds(30));
        assertThat(folder.resolve("generations").resolve(id).resolve("0.png")).isRegularFile();

        HttpResponse<String> again = retry(id, AUTH);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).isEqualTo("{\"error\":\"not_failed\"}");
    }

    @Test
    void aPollFailureForWantOfNewsGoesBackToSubmitted() throws Exception {
        insertFailed("pollRetry1", "unknown_at_ideogram", -1);

        HttpResponse<String> response = retry("pollRetry1", AUTH);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"generation_id\":\"pollRetry1\",\"state\":\"submitted\"}");
        assertThat(store().find("pollRetry1").orElseThrow().state()).isEqualTo(GenerationState.SUBMITTED);
    }

    @Test
    void failuresThatCannotPassAre409WithTheirReason() throws Exception {
        insertFailed("saidFailed1", "ideogram_failed", -1);
        insertFailed("linksGone1", "image_http_404", 25 * 3_600_000L);
        insertFailed("fal/req-9", "provider_failed", -1);

        assertThat(retry("saidFailed1", AUTH).body()).isEqualTo("{\"error\":\"not_retryable\"}");
        HttpResponse<String> expired = retry("linksGone1", AUTH);
        assertThat(expired.statusCode()).isEqualTo(409);
        assertThat(expired.body()).isEqualTo("{\"error\":\"links_expired\"}");
        HttpResponse<String> provider = retry("fal/req-9", AUTH);
        assertThat(provider.statusCode()).isEqualTo(409);
        assertThat(provider.body()).isEqualTo("{\"error\":\"not_retryable\"}");

        HttpResponse<String> unknown = retry("neverSeen1", AUTH);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("{\"error\":\"not_found\"}");
        assertThat(store().find("saidFailed1").orElseThrow().state()).isEqualTo(GenerationState.FAILED);
    }

    @Test
    void withoutTheTokenNothingMoves() throws Exception {
        insertFailed("tokenless1", "expired", -1);

        for (String path : new String[] { "tokenless1", "fal/tokenless1" }) {
            HttpResponse<String> response = retry(path, Map.of());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).isEqualTo("{\"error\":\"unauthorized\"}");
        }
        assertThat(store().find("tokenless1").orElseThrow().state()).isEqualTo(GenerationState.FAILED);
    }
}
