package io.ideogramcamel.provider;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.standin.HmacRelaySender;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.standin.StandardWebhooksSender;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What README shows: the demo profile's provider secrets with the stand-in's control endpoints
 * ({@code POST /providers/hmac/send?to=...}, {@code POST /providers/standard/send?to=...}), each
 * ending in an archived generation.
 */
class ProvidersDemoFlowTest extends BundleTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalIdeogram standIn;
    private Path images;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-providers-demo-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        Properties demo = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("application-demo.properties"))) {
            demo.load(in);
        }
        standIn = LocalIdeogram.start();
        images = Files.createTempDirectory("ideogram-providers-demo-images-");
        properties.set("providers.hmac.secret", demo.getProperty("providers.hmac.secret"))
                .set("providers.standard.secret", demo.getProperty("providers.standard.secret"))
                .set("providers.standard.image-hosts", demo.getProperty("providers.standard.image-hosts"))
                .set("ideogram.image-hosts", demo.getProperty("ideogram.image-hosts"))
                .set("ideogram.image.allow-http", demo.getProperty("ideogram.image.allow-http"))
                .set("storage.dir", images.toString());
    }

    @AfterAll
    void stopStandInServer() throws IOException {
        closeQuietly(standIn);
    }

    @Test
    void theDemoSecretsAreTheStandInsOwn() throws IOException {
        Properties demo = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("application-demo.properties"))) {
            demo.load(in);
        }
        assertThat(demo.getProperty("providers.hmac.secret")).isEqualTo(HmacRelaySender.DEMO_SECRET);
        assertThat(demo.getProperty("providers.standard.secret")).isEqualTo(StandardWebhooksSender.DEMO_SECRET);
    }

    @Test
    void theHmacRelayControlEndpointSendsBothShapesAndTheResultIsArchived() throws Exception {
        JsonNode event = send("/providers/hmac/send?to=" + baseUrl() + "/webhooks/hmac&shape=event&images=2");
        JsonNode result = send("/providers/hmac/send?to=" + baseUrl() + "/webhooks/hmac&shape=result&images=1");
        JsonNode bare = send("/providers/hmac/send?to=" + baseUrl() + "/webhooks/hmac&shape=event-without-images");

        assertThat(event.get("answer_status").asInt()).isEqualTo(200);
        assertThat(event.get("answer").asText()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(result.get("answer").asText()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(bare.get("answer").asText()).isEqualTo("{\"status\":\"recorded\"}");
        String id = event.get("generation_id").asText();
        awaitState("hmac/" + id, GenerationState.ARCHIVED, Duration.ofSeconds(30));
        assertThat(images.resolve("generations/hmac/" + id + "/0.png")).exists();
        assertThat(images.resolve("generations/hmac/" + id + "/1.png")).exists();
        assertThat(Http.get(baseUrl() + event.get("status_url_path").asText()).body()).contains("\"state\":\"archived\"");
    }

    @Test
    void theStandardControlEndpointSendsProgressThenTheOutcome() throws Exception {
        JsonNode sent = send("/providers/standard/send?to=" + baseUrl() + "/webhooks/standard&images=1");
        JsonNode failed = send("/providers/standard/send?to=" + baseUrl() + "/webhooks/standard&outcome=failed");

        assertThat(sent.get("deliveries").get(0).get("answer").asText()).isEqualTo("{\"status\":\"recorded\"}");
        assertThat(sent.get("deliveries").get(1).get("answer").asText()).isEqualTo("{\"status\":\"accepted\"}");
        String id = sent.get("prediction_id").asText();
        awaitState("standard/" + id, GenerationState.ARCHIVED, Duration.ofSeconds(30));
        assertThat(images.resolve("generations/standard/" + id + "/0.png")).exists();
        assertThat(Http.get(baseUrl() + failed.get("status_url_path").asText()).body())
                .contains("\"state\":\"failed\"", "\"error\":\"replicate_failed\"");
    }

    @Test
    void theControlEndpointsSendToLoopbackOnly() {
        HttpResponse<String> elsewhere = Http.post(standIn.baseUrl() + "/providers/hmac/send?to=http://example.com/x",
                Map.of(), new byte[0]);
        assertThat(elsewhere.statusCode()).isEqualTo(400);
    }

    private JsonNode send(String pathAndQuery) throws IOException {
        HttpResponse<String> answer = Http.post(standIn.baseUrl() + pathAndQuery, Map.of(), new byte[0]);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }
}
