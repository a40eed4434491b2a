package io.ideogramcamel.observe;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health and metrics on a management port of their own (as the Kubernetes Deployment runs them):
 * served there and not on the main port, while the webhook and the API stay on the main port,
 * where camel.server.max-body-size still applies. The default (one port for everything) is what
 * WebhookReceiveTest runs.
 */
class ManagementPortTest extends BundleTestSupport {

    private int managementPort;

    @Override
    protected String storeJdbcUrl() throws Exception {
        Path dir = Files.createTempDirectory("ideogram-h2-");
        return "jdbc:h2:file:" + dir.resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws Exception {
        managementPort = BundleProcess.freePort();
        properties.set("camel.management.port", Integer.toString(managementPort));
    }

    private String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    @Test
    void healthAndMetricsAreServedOnTheManagementPortOnly() {
        assertThat(managementPort).isNotEqualTo(serverPort);
        for (String path : new String[] { "/observe/health", "/observe/health/live", "/observe/health/ready", "/observe/metrics" }) {
            assertThat(Http.get(managementUrl() + path).statusCode()).as("management port " + path).isEqualTo(200);
            assertThat(Http.get(baseUrl() + path).statusCode()).as("main port " + path).isEqualTo(404);
        }
        assertThat(Http.get(managementUrl() + "/observe/metrics").body()).contains("# TYPE");
    }

    @Test
    void theWebhookAndTheApiAreOnTheMainPortOnly() {
        String generationId = "mgmt-port-" + System.nanoTime();
        HttpResponse<String> delivered = deliverSigned(generationId, 1);
        assertThat(delivered.statusCode()).isEqualTo(200);
        assertThat(store().find(generationId)).isPresent();

        byte[] body = "{\"generation_id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(Http.post(managementUrl() + "/webhooks/ideogram", Map.of("Content-Type", "application/json"), body)
                .statusCode()).isEqualTo(404);
        assertThat(Http.get(managementUrl() + "/generations").statusCode()).isEqualTo(404);
    }

    @Test
    void theBodyLimitStillGuardsTheWebhookPort() {
        byte[] tooLarge = new byte[1048576 + 1];
        assertThat(Http.post(baseUrl() + "/webhooks/ideogram", Map.of("Content-Type", "application/json"), tooLarge)
                .statusCode()).isEqualTo(413);
    }

    @Test
    void withoutTheVariableTheManagementPortIsTheServerPort() {
        // the placeholder application.properties uses, with a variable that is surely unset
        assertThat(context.resolvePropertyPlaceholders("{{env:IDEOGRAM_TEST_UNSET_MANAGEMENT_PORT:{{camel.server.port}}}}"))
                .isEqualTo(Integer.toString(serverPort));
    }
}
