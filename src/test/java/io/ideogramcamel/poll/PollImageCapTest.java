package io.ideogramcamel.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * A poll answer listing more images than ideogram.webhook.max-images is refused like such a
 * webhook: the generation fails (too_many_images) and no image is fetched. The stand-in makes at
 * most 8 images, so the cap is lowered to 1 here; no webhook_url is sent, so only polling finds it.
 */
class PollImageCapTest extends BundleTestSupport {

    private LocalIdeogram local;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-poll-cap-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        local = LocalIdeogram.builder().completionDelayMillis(200).start();
        properties.set("ideogram.api-url", local.baseUrl())
                .set("ideogram.jwks-url", local.jwksUrl())
                .set("ideogram.api-key", local.apiKey())
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("ideogram.webhook.max-images", "1")
                .set("ideogram.submit.dispatch-interval-millis", "200")
                .set("ideogram.poll.interval-seconds", "1")
                .set("ideogram.poll.after-seconds", "1")
                .set("ideogram.poll.retry.initial-delay-seconds", "1")
                .set("ideogram.poll.retry.max-delay-seconds", "1")
                .set("archive.redrive-interval-millis", "500");
    }

    @AfterAll
    void stopStandIn() throws IOException {
        closeQuietly(local);
    }

    @Test
    void aPolledResultOverTheCapFailsTheGenerationWithoutFetchingAnImage() throws Exception {
        HttpResponse<String> response = Http.post(baseUrl() + "/generations", Map.of("Content-Type", "application/json"),
                "{\"text_prompt\":\"two foxes\",\"num_images\":2}".getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String id = new ObjectMapper().readTree(response.body()).path("generation_id").asText();

        GenerationRecord row = awaitState(id, GenerationState.FAILED, Duration.ofSeconds(30));

        assertThat(row.error()).isEqualTo("too_many_images");
        assertThat(local.imageFetches(id, 0)).isZero();
        assertThat(local.imageFetches(id, 1)).isZero();
    }
}
