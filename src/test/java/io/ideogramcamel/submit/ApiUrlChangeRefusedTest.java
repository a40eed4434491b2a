package io.ideogramcamel.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.store.ApiUrlGuard;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.Http;
import org.junit.jupiter.api.Test;

/**
 * Started against the stand-in on a store used with another API URL, without the override: a new
 * request is answered 202 queued and stays queued, the dispatcher and the poller run and call
 * nothing, the health check says why, and webhooks are still accepted.
 */
class ApiUrlChangeRefusedTest extends ApiUrlChangeSupport {

    @Override
    protected void allowChange(BundleProperties properties) {
        // the default: ideogram.allow-api-url-change = false
    }

    @Test
    void queuedRequestsAndPollsWaitAndNothingReachesTheOtherApi() throws Exception {
        HttpResponse<String> response = submit("a lighthouse at dusk");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode answer = new ObjectMapper().readTree(response.body());
        assertThat(answer.path("state").asText()).isEqualTo("queued");
        String queuedId = answer.path("queued_id").asText();

        // the dispatcher and the poller each ran after the request was stored, and were refused
        long dispatched = guard().refusals("submit-queued");
        long polled = guard().refusals("poll-outstanding");
        await(WITHIN, () -> guard().refusals("submit-queued") > dispatched + 2
                && guard().refusals("poll-outstanding") > polled);

        assertThat(local.submitCalls()).isZero();
        assertThat(local.pollCounts()).isEmpty();
        SubmissionLedger ledger = context().getRegistry().lookupByNameAndType("submissionLedger", SubmissionLedger.class);
        assertThat(ledger.find(queuedId).orElseThrow().state()).isEqualTo(SubmissionState.QUEUED);
        assertThat(identity().apiUrl()).contains(EARLIER_API_URL);
        assertThat(guard().decide()).isEqualTo(ApiUrlGuard.Decision.REFUSED);
    }

    @Test
    void theHealthCheckIsDownButReadinessAndWebhooksAreNot() {
        HttpResponse<String> health = Http.get(baseUrl() + "/observe/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("api-url").contains("ideogram.allow-api-url-change");
        assertThat(health.body()).doesNotContain(EARLIER_API_URL);
        assertThat(Http.get(baseUrl() + "/observe/health/ready").statusCode()).isEqualTo(200);

        assertThat(deliverSigned(io.ideogramcamel.testing.IdeogramStandIn.newGenerationId(), 1).statusCode())
                .isEqualTo(200);
    }
}
