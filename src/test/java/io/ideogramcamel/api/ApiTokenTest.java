package io.ideogramcamel.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;

import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import org.junit.jupiter.api.Test;

/** With api.token set, the API wants the bearer token; the webhook (signed by Ideogram) does not. */
class ApiTokenTest extends BundleTestSupport {

    private static final String TOKEN = "s3cret-token-of-at-least-32-chars";
    private static final byte[] INVALID_REQUEST = "{}".getBytes(StandardCharsets.UTF_8);

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-token-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) {
        properties.set("api.token", TOKEN);
    }

    private HttpResponse<String> submit(Map<String, String> headers) {
        Map<String, String> json = new java.util.HashMap<>(headers);
        json.put("Content-Type", "application/json");
        return Http.post(baseUrl() + "/generations", json, INVALID_REQUEST);
    }

    @Test
    void theApiRefusesAMissingOrWrongTokenWithAFixedAnswer() {
        for (Map<String, String> headers : new Map[] { Map.of(), Map.of("Authorization", "Bearer wrong"),
                Map.of("Authorization", TOKEN) }) {
            HttpResponse<String> response = submit(headers);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).isEqualTo("{\"error\":\"unauthorized\"}");
        }
        assertThat(Http.get(baseUrl() + "/generations?state=failed").statusCode()).isEqualTo(401);
        assertThat(Http.get(baseUrl() + "/generations/anything").statusCode()).isEqualTo(401);
    }

    @Test
    void theRightTokenGetsThroughToValidation() {
        HttpResponse<String> response = submit(Map.of("Authorization", "Bearer " + TOKEN));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("missing_prompt");
    }

    @Test
    void theWebhookNeedsNoToken() {
        assertThat(deliverSigned(IdeogramStandIn.newGenerationId(), 1).statusCode()).isEqualTo(200);
    }
}
