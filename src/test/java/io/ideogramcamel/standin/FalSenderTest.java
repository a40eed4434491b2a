package io.ideogramcamel.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.testing.Http;
import org.junit.jupiter.api.Test;

/** The stand-in's fal mode on its own: its JWKS, its images, and what its control endpoint refuses. */
class FalSenderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void itPublishesItsOwnKeyNotIdeogramsAndServesTheImagesItLinks() throws Exception {
        try (LocalIdeogram standIn = LocalIdeogram.start()) {
            JsonNode fal = JSON.readTree(Http.get(standIn.fal().jwksUrl()).body()).get("keys");
            JsonNode ideogram = JSON.readTree(Http.get(standIn.jwksUrl()).body()).get("keys");
            assertThat(fal).hasSize(1);
            assertThat(fal.get(0).get("crv").asText()).isEqualTo("Ed25519");
            assertThat(fal.get(0).get("x").asText()).isNotEqualTo(ideogram.get(0).get("x").asText());

            String requestId = FalSender.newRequestId();
            List<String> urls = standIn.fal().images(requestId, 2);
            var png = Http.get(urls.get(1));
            assertThat(png.statusCode()).isEqualTo(200);
            assertThat(png.headers().firstValue("Content-Type")).contains("image/png");
            assertThat(standIn.fal().imageFetches(requestId, 1)).isEqualTo(1);
            assertThat(Http.get(standIn.baseUrl() + "/providers/fal/images/" + requestId + "/2.png").statusCode()).isEqualTo(404);
            assertThat(FalSender.okBody(requestId, urls)).asString(StandardCharsets.UTF_8)
                    .contains("\"status\":\"OK\"", "\"request_id\":\"" + requestId + "\"", urls.get(0));
        }
    }

    @Test
    void theControlEndpointPostsOnlyToThisMachineAndOnlyFalsStatuses() throws Exception {
        try (LocalIdeogram standIn = LocalIdeogram.start()) {
            String send = standIn.baseUrl() + FalSender.SEND_PATH;
            assertThat(Http.post(send + "?to=http://example.com/webhooks/fal", Map.of(), new byte[0]).statusCode()).isEqualTo(400);
            assertThat(Http.post(send + "?to=http://127.0.0.1:1/x&status=DONE", Map.of(), new byte[0]).statusCode()).isEqualTo(400);
            assertThat(Http.post(send + "?to=http://127.0.0.1:1/x&images=9", Map.of(), new byte[0]).statusCode()).isEqualTo(400);
            // nothing listens on port 1: the stand-in says it could not deliver
            assertThat(Http.post(send + "?to=http://127.0.0.1:1/x", Map.of(), new byte[0]).statusCode()).isEqualTo(502);
            assertThat(Http.get(send).statusCode()).isEqualTo(405);
        }
    }
}
