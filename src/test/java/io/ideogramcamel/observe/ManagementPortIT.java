package io.ideogramcamel.observe;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.PostgresSchema;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar as the Kubernetes Deployment runs it: configured by environment variables only, with
 * CAMEL_MANAGEMENT_PORT apart from CAMEL_SERVER_PORT (camel-main itself ignores variables ending
 * in _PORT, so this works only through application.properties' env lookup), a PostgreSQL store and
 * the local Ideogram stand-in.
 */
class ManagementPortIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void healthAndMetricsAreOnTheManagementPortAndTheWebhookAndApiOnTheServerPort() throws Exception {
        try (LocalIdeogram local = LocalIdeogram.builder().start();
                PostgresSchema schema = new PostgresSchema()) {
            Map<String, String> env = BundleProcess.usingLocalIdeogram(local, schema);
            env.put("CAMEL_MANAGEMENT_PORT", Integer.toString(BundleProcess.freePort()));
            // start() waits for readiness on the management port
            try (BundleProcess bundle = BundleProcess.start(Files.createTempDirectory("management-port-"), env)) {
                for (String path : new String[] { "/observe/health", "/observe/health/live", "/observe/health/ready",
                        "/observe/metrics" }) {
                    assertThat(Http.get(bundle.managementUrl() + path).statusCode()).as("management " + path).isEqualTo(200);
                    assertThat(Http.get(bundle.baseUrl() + path).statusCode()).as("server port " + path).isEqualTo(404);
                }
                byte[] unsigned = "{}".getBytes(StandardCharsets.UTF_8);
                Map<String, String> json = Map.of("Content-Type", "application/json");
                // the webhook is on the server port (refused there as unsigned, but there)
                assertThat(Http.post(bundle.baseUrl() + "/webhooks/ideogram", json, unsigned).statusCode())
                        .isBetween(400, 499).isNotEqualTo(404);
                assertThat(Http.post(bundle.managementUrl() + "/webhooks/ideogram", json, unsigned).statusCode()).isEqualTo(404);
                assertThat(Http.get(bundle.managementUrl() + "/generations").statusCode()).isEqualTo(404);
            }
        }
    }

    @Test
    void theAcceptedSubmissionLineIsOnRecordWhenTheProcessIsKilledRightAfterTheAnswer() throws Exception {
        try (LocalIdeogram local = LocalIdeogram.builder().start();
                PostgresSchema schema = new PostgresSchema()) {
            BundleProcess bundle = BundleProcess.start(Files.createTempDirectory("audit-kill9-"),
                    BundleProcess.usingLocalIdeogram(local, schema));
            try {
                HttpResponse<String> answer = Http.post(bundle.baseUrl() + "/generations",
                        Map.of("Content-Type", "application/json"),
                        "{\"text_prompt\":\"audit line before kill -9\"}".getBytes(StandardCharsets.UTF_8));
                // SIGKILL as soon as the answer is in: no shutdown hook, no flush
                bundle.kill9();
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
                JsonNode body = JSON.readTree(answer.body());
                String generationId = body.path("generation_id").asText();
                assertThat(generationId).as("sent by the caller, answered with Ideogram's id: " + answer.body()).isNotEmpty();
                String log = Files.readString(bundle.log(), StandardCharsets.UTF_8);
                assertThat(log).contains("Ideogram accepted submission " + body.path("queued_id").asText()
                        + " as generation " + generationId);
                assertThat(log).doesNotContain(local.apiKey());
            } finally {
                bundle.close();
            }
        }
    }
}
