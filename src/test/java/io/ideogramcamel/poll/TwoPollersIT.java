package io.ideogramcamel.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.PostgresSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Two bundle processes (the runnable jar) sharing one PostgreSQL schema poll the same outstanding
 * generations: the stand-in drops every webhook and answers each poll slowly, so an overlap of two
 * polls of one generation would be seen. Every generation must still be archived once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class TwoPollersIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GENERATIONS = 16;

    private LocalIdeogram local;
    private PostgresSchema schema;
    private final List<BundleProcess> bundles = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        // completes fast, answers polls slowly: overlapping polls of one generation would show
        local = LocalIdeogram.builder().completionDelayMillis(200).maxInflightImages(64)
                .pollResponseDelay(Duration.ofMillis(300)).start();
        schema = new PostgresSchema();
        for (int i = 0; i < 2; i++) {
            bundles.add(BundleProcess.start(Files.createTempDirectory("two-pollers-" + i), environment()));
        }
    }

    private Map<String, String> environment() {
        Map<String, String> env = BundleProcess.usingLocalIdeogram(local, schema);
        env.put("IDEOGRAM_MAX_INFLIGHT_IMAGES", "64");
        env.put("IDEOGRAM_SUBMIT_DISPATCH_INTERVAL_MILLIS", "200");
        env.put("IDEOGRAM_POLL_INTERVAL_SECONDS", "1");
        env.put("IDEOGRAM_POLL_AFTER_SECONDS", "0");
        env.put("IDEOGRAM_POLL_RETRY_INITIAL_DELAY_SECONDS", "0");
        env.put("IDEOGRAM_POLL_RETRY_MAX_DELAY_SECONDS", "1");
        env.put("ARCHIVE_REDRIVE_INTERVAL_MILLIS", "500");
        return env;
    }

    @AfterAll
    void stop() throws Exception {
        for (BundleProcess bundle : bundles) {
            bundle.close();
        }
        local.close();
        schema.close();
    }

    @Test
    void everyDroppedWebhookIsArchivedOnceAndNoGenerationIsPolledByBothAtOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < GENERATIONS; i++) {
            BundleProcess bundle = bundles.get(i % 2);
            HttpResponse<String> response = Http.post(bundle.baseUrl() + "/generations",
                    Map.of("Content-Type", "application/json"),
                    ("{\"text_prompt\":\"two pollers " + i + " #drop-webhook\"}").getBytes(StandardCharsets.UTF_8));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            // the queued id: the answer may be "queued" when a dispatcher took the request first
            ids.add(JSON.readTree(response.body()).path("queued_id").asText());
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<String> pending = new ArrayList<>(ids);
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            pending.removeIf(id -> "archived".equals(state(bundles.get(0), id)));
            Thread.sleep(250);
        }
        assertThat(pending).as("not archived in time").isEmpty();

        assertThat(local.maxConcurrentPollsOfOneId()).isEqualTo(1);
        // both instances took part, so the claims were really contested
        assertThat(bundlesThatPolled()).isEqualTo(2);
        for (String queuedId : ids) {
            JsonNode status = JSON.readTree(Http.get(bundles.get(1).baseUrl() + "/generations/" + queuedId).body());
            String id = status.path("generation_id").asText();
            assertThat(local.imageFetches(id, 0)).as("fetches of " + id).isEqualTo(1);
            assertThat(status.path("source").asText()).isEqualTo("poll");
        }
    }

    private int bundlesThatPolled() throws Exception {
        int polled = 0;
        for (BundleProcess bundle : bundles) {
            String metrics = Http.get(bundle.baseUrl() + "/observe/metrics").body();
            if (metrics.lines().anyMatch(l -> l.startsWith("ideogram_poll_outcome_total") && !l.endsWith(" 0.0"))) {
                polled++;
            }
        }
        return polled;
    }

    private static String state(BundleProcess bundle, String id) {
        try {
            JsonNode status = JSON.readTree(Http.get(bundle.baseUrl() + "/generations/" + id).body());
            return status.path("state").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
