package io.ideogramcamel.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.ideogramcamel.store.ListPage;
import io.ideogramcamel.submit.SubmissionLedger;
import io.ideogramcamel.submit.SubmissionState;
import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import org.junit.jupiter.api.Test;

/**
 * The edge of POST /generations: JSON only (415 otherwise, nothing stored), no CORS answer ever,
 * and a bounded queue (429 queue_full with Retry-After, nothing stored; a repeated Idempotency-Key
 * still gets its first answer). Ideogram is a closed port here, so every request stays queued.
 */
class ApiEdgeTest extends BundleTestSupport {

    private static final String REQUEST = "{\"text_prompt\":\"a lighthouse at dusk\"}";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-edge-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        // nothing listens there: a send never opens a connection, and the request waits in the queue
        properties.set("ideogram.api-url", "http://127.0.0.1:" + BundleProcess.freePort())
                .set("ideogram.submit.retry.initial-delay-seconds", "3600")
                .set("ideogram.submit.retry.max-delay-seconds", "3600")
                .set("ideogram.submit.max-queued", "2")
                .set("ideogram.submit.queue-full-retry-after-seconds", "7");
    }

    private SubmissionLedger ledger() {
        return context().getRegistry().lookupByNameAndType("submissionLedger", SubmissionLedger.class);
    }

    private int storedSubmissions() {
        int total = 0;
        for (SubmissionState state : SubmissionState.values()) {
            total += ledger().list(state, 500, ListPage.FIRST).size();
        }
        return total;
    }

    private HttpResponse<String> submit(String contentType, Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        if (contentType != null) {
            all.put("Content-Type", contentType);
        }
        return Http.post(baseUrl() + "/generations", all, REQUEST.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anythingButJsonIsRefusedWith415BeforeAnythingIsStored() {
        int before = storedSubmissions();
        for (String type : new String[] { null, "text/plain", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/json; charset=iso-8859-1", "application/jsonp",
                "text/json" }) {
            HttpResponse<String> response = submit(type, Map.of());

            assertThat(response.statusCode()).as(type).isEqualTo(415);
            assertThat(response.body()).as(type).isEqualTo("{\"error\":\"unsupported_media_type\"}");
            assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        }
        assertThat(storedSubmissions()).isEqualTo(before);
    }

    @Test
    void jsonWithOrWithoutAUtf8CharsetPassesTheTypeCheck() {
        for (String type : new String[] { "application/json", "Application/JSON; charset=UTF-8",
                "application/json;charset=\"utf-8\"" }) {
            HttpResponse<String> response = Http.post(baseUrl() + "/generations", Map.of("Content-Type", type),
                    "{}".getBytes(StandardCharsets.UTF_8));
            // through to validation: the request itself is incomplete, so nothing is stored
            assertThat(response.statusCode()).as(type).isEqualTo(400);
            assertThat(response.body()).as(type).contains("missing_prompt");
        }
    }

    @Test
    void noCorsHeaderIsEverSent() throws Exception {
        String origin = "https://evil.example";
        HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/generations"))
                .header("Origin", origin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/generations?state=failed"))
                .header("Origin", origin).GET());
        HttpResponse<String> preflight = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/generations"))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type, authorization")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

        for (HttpResponse<String> response : new HttpResponse[] { post, get, preflight }) {
            assertThat(response.headers().map().keySet())
                    .as(response.request().method() + " " + response.headers().map())
                    .noneMatch(name -> name.toLowerCase().startsWith("access-control-"));
        }
        assertThat(post.statusCode()).isEqualTo(400);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(preflight.statusCode()).isGreaterThanOrEqualTo(400);
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndStoresNothingButRepeatsGetTheirFirstAnswer() {
        HttpResponse<String> first = submit("application/json", Map.of("Idempotency-Key", "first-request"));
        HttpResponse<String> second = submit("application/json", Map.of());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(first.body()).contains("\"state\":\"queued\"");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(202);
        assertThat(ledger().countQueued(10)).isEqualTo(2);

        for (Map<String, String> headers : new Map[] { Map.of(), Map.of("Idempotency-Key", "a-new-key") }) {
            HttpResponse<String> refused = submit("application/json", headers);

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.body()).isEqualTo("{\"error\":\"queue_full\"}");
            assertThat(refused.headers().firstValue("Retry-After")).contains("7");
        }
        assertThat(storedSubmissions()).isEqualTo(2);

        HttpResponse<String> repeat = submit("application/json", Map.of("Idempotency-Key", "first-request"));
        assertThat(repeat.statusCode()).isEqualTo(202);
        assertThat(repeat.body()).isEqualTo(first.body());
        assertThat(storedSubmissions()).isEqualTo(2);
    }
}
