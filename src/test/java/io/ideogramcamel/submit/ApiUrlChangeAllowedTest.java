package io.ideogramcamel.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.store.ApiUrls;
import io.ideogramcamel.testing.BundleProperties;
import org.junit.jupiter.api.Test;

/**
 * The same store, started with ideogram.allow-api-url-change=true: the new URL is recorded and
 * requests go to it, and the generation sent earlier is polled there too.
 */
class ApiUrlChangeAllowedTest extends ApiUrlChangeSupport {

    @Override
    protected void allowChange(BundleProperties properties) {
        properties.set("ideogram.allow-api-url-change", "true");
    }

    @Test
    void theNewUrlIsRecordedAndRequestsAreSent() throws Exception {
        HttpResponse<String> response = submit("a lighthouse at dusk");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(new ObjectMapper().readTree(response.body()).path("state").asText()).isEqualTo("submitted");
        assertThat(local.submitCalls()).isEqualTo(1);
        assertThat(identity().apiUrl()).contains(ApiUrls.normalise(local.baseUrl()));
        await(WITHIN, () -> local.pollCount(earlierGenerationId) > 0);
    }
}
