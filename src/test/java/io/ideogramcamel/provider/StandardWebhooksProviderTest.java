package io.ideogramcamel.provider;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.ideogramcamel.standin.StandardWebhooksSender;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.ArchivedKeys;
import io.ideogramcamel.testing.Concurrently;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.StandardWebhooksJs;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replicate-style Standard Webhooks deliveries through the bundle into s3proxy. Every signature
 * here is made by the npm standardwebhooks package (StandardWebhooksJs), not by the project's code.
 */
class StandardWebhooksProviderTest extends ProviderBundleSupport {

    private static final String PATH = "/webhooks/standard";
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(randomBytes(24));

    private StandardWebhooksSender sender;

    @Override
    void configureProvider(BundleProperties properties) {
        properties.set("providers.standard.secret", SECRET)
                .set("providers.standard.image-hosts", "127.0.0.1");
        sender = standIn.standardWebhooks();
    }

    /** Headers signed by the npm package. */
    private static Map<String, String> signed(String secret, String msgId, long timestamp, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("webhook-id", msgId);
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", StandardWebhooksJs.sign(secret, msgId, timestamp, body));
        return headers;
    }

    private HttpResponse<String> deliverStandard(Map<String, String> headers, byte[] body) {
        return post(PATH, headers, body);
    }

    private HttpResponse<String> deliver(byte[] body) {
        return deliverStandard(signed(SECRET, StandardWebhooksSender.newMessageId(), now(), body), body);
    }

    @Test
    void progressThenASucceededPredictionArchivedOnceAcrossConcurrentAndRepeatedDeliveries() throws Exception {
        String id = sender.newPredictionId();
        HttpResponse<String> processing = deliver(sender.predictionBody(id, "processing", 0));
        assertThat(processing.statusCode()).isEqualTo(200);
        assertThat(processing.body()).isEqualTo("{\"status\":\"recorded\"}");
        JsonNode progress = status("standard", id);
        assertThat(progress.get("provider").asText()).isEqualTo("standard");
        assertThat(progress.get("state").asText()).isEqualTo("submitted");
        assertThat(progress.get("provider_status").asText()).isEqualTo("processing");
        assertThat(progress.has("progress")).as(progress.toString()).isFalse();

        byte[] succeeded = sender.predictionBody(id, "succeeded", 2);
        // Replicate's "output" and "completed" events both carry the finished prediction, each
        // under its own webhook-id: several deliveries, one generation
        List<Map<String, String>> deliveries = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            deliveries.add(signed(SECRET, StandardWebhooksSender.newMessageId(), now(), succeeded));
        }
        List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
        for (Map<String, String> headers : deliveries) {
            calls.add(() -> deliverStandard(headers, succeeded));
        }
        List<HttpResponse<String>> answers = Concurrently.run(calls);
        HttpResponse<String> redelivered = deliverStandard(deliveries.get(0), succeeded);

        assertThat(answers).allMatch(a -> a.statusCode() == 200);
        assertThat(answers).filteredOn(a -> a.body().equals("{\"status\":\"accepted\"}")).hasSize(1);
        assertThat(answers).filteredOn(a -> a.body().equals("{\"status\":\"duplicate\"}")).hasSize(5);
        assertThat(redelivered.body()).isEqualTo("{\"status\":\"duplicate\"}");
        awaitState("standard/" + id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);
        String dir = PREFIX + "standard/" + id + "/";
        assertThat(s3.keys(BUCKET, dir)).containsExactlyInAnyOrder(ArchivedKeys.of(dir, 0, 1));
        for (String key : s3.keys(BUCKET, dir)) {
            assertThat(s3.writeCount(BUCKET, key)).as(key).isEqualTo(1);
        }
        assertThat(sender.imageFetches(id, 0)).isEqualTo(1);
        assertThat(sender.imageFetches(id, 1)).isEqualTo(1);
        assertThat(manifest("standard", id).get("provider").asText()).isEqualTo("standard");
        JsonNode archived = status("standard", id);
        assertThat(archived.get("state").asText()).isEqualTo("archived");
        assertThat(archived.get("generation_id").asText()).isEqualTo(id);
    }

    @Test
    void aRepeatedWebhookIdIsADuplicateWithoutReadingTheBodyAgain() {
        String id = sender.newPredictionId();
        byte[] body = sender.predictionBody(id, "starting", 0);
        Map<String, String> headers = signed(SECRET, StandardWebhooksSender.newMessageId(), now(), body);

        assertThat(deliverStandard(headers, body).body()).isEqualTo("{\"status\":\"recorded\"}");
        HttpResponse<String> again = deliverStandard(headers, body);

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo("{\"status\":\"duplicate\"}");
    }

    @Test
    void aSingleStringOutputIsArchived() throws Exception {
        String id = sender.newPredictionId();
        JsonNode full = JSON.readTree(sender.predictionBody(id, "succeeded", 1));
        ((com.fasterxml.jackson.databind.node.ObjectNode) full).put("output", full.get("output").get(0).asText());

        assertThat(deliver(JSON.writeValueAsBytes(full)).body()).isEqualTo("{\"status\":\"accepted\"}");

        awaitState("standard/" + id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);
        assertThat(s3.keys(BUCKET, PREFIX + "standard/" + id + "/")).contains(PREFIX + "standard/" + id + "/0.png");
    }

    @Test
    void anOutputOnAHostNotListedIsRefusedAndNeverFetched() throws Exception {
        String id = sender.newPredictionId();
        JsonNode full = JSON.readTree(sender.predictionBody(id, "succeeded", 1));
        // Replicate's own host is the default list; this test lists only the stand-in's 127.0.0.1
        ((com.fasterxml.jackson.databind.node.ArrayNode) full.get("output")).add("https://replicate.delivery.evil.example/x.png");

        assertThat(deliver(JSON.writeValueAsBytes(full)).body()).isEqualTo("{\"status\":\"accepted\"}");

        awaitState("standard/" + id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);
        JsonNode listed = manifest("standard", id).get("images");
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).has("refused")).isFalse();
        assertThat(listed.get(1).get("refused").asText()).isEqualTo("host_not_allowed");
        String dir = PREFIX + "standard/" + id + "/";
        assertThat(s3.keys(BUCKET, dir)).containsExactlyInAnyOrder(ArchivedKeys.of(dir, 0));
    }

    @Test
    void failedAndCanceledPredictionsAreRecordedFailedWithAFixedReason() throws Exception {
        String failedId = sender.newPredictionId();
        String canceledId = sender.newPredictionId();

        HttpResponse<String> failed = deliver(sender.predictionBody(failedId, "failed", 0));
        HttpResponse<String> canceled = deliver(sender.predictionBody(canceledId, "canceled", 0));

        assertThat(failed.statusCode()).isEqualTo(200);
        assertThat(failed.body()).isEqualTo("{\"status\":\"recorded\"}");
        assertThat(canceled.body()).isEqualTo("{\"status\":\"recorded\"}");
        HttpResponse<String> shown = Http.get(baseUrl() + "/generations/standard/" + failedId);
        JsonNode failedStatus = JSON.readTree(shown.body());
        assertThat(failedStatus.get("state").asText()).isEqualTo("failed");
        assertThat(failedStatus.get("error").asText()).isEqualTo("replicate_failed");
        // the provider's own error text is never kept or shown
        assertThat(shown.body()).doesNotContain("CUDA").doesNotContain("script");
        assertThat(status("standard", canceledId).get("error").asText()).isEqualTo("replicate_canceled");
        assertThat(s3.keys(BUCKET, PREFIX + "standard/" + failedId + "/")).isEmpty();
    }

    @Test
    void forgedStaleAndUnsignedDeliveriesAre401AndStoreNothing() throws Exception {
        String id = sender.newPredictionId();
        byte[] body = sender.predictionBody(id, "succeeded", 1);
        String otherSecret = "whsec_" + Base64.getEncoder().encodeToString(randomBytes(24));
        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("local/standin-image", "local/standin-imagf")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, String> unsigned = signed(SECRET, StandardWebhooksSender.newMessageId(), now(), body);
        unsigned.remove("webhook-signature");

        assertRefused(deliverStandard(signed(otherSecret, StandardWebhooksSender.newMessageId(), now(), body), body),
                "invalid_signature");
        assertRefused(deliverStandard(signed(SECRET, StandardWebhooksSender.newMessageId(), now() - 3600, body), body),
                "stale_timestamp");
        assertRefused(deliverStandard(unsigned, body), "missing_signature_headers");
        assertRefused(deliverStandard(signed(SECRET, StandardWebhooksSender.newMessageId(), now(), body), tampered),
                "invalid_signature");

        Thread.sleep(500);
        assertThat(store().find("standard/" + id)).isEmpty();
        assertThat(s3.keys(BUCKET, PREFIX + "standard/" + id + "/")).isEmpty();
        assertThat(sender.imageFetches(id, 0)).isZero();
        assertThat(Http.get(baseUrl() + "/generations/standard/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void badBodiesAre400WithAFixedToken() {
        assertBadBody("{\"id\": \"abc\", \"status\": \"succeeded\", \"output\": [", "invalid_json");
        assertBadBody("{\"id\": \"../abc\", \"status\": \"succeeded\", \"output\": []}", "invalid_provider_id");
        assertBadBody("{\"id\": 42, \"status\": \"succeeded\"}", "invalid_provider_id");
        assertBadBody("{\"status\": \"succeeded\"}", "missing_generation_id");
        assertBadBody("{\"id\": \"abc\", \"status\": \"Succeeded <b>\"}", "invalid_status");
        assertBadBody("{\"id\": \"abc\", \"status\": \"succeeded\", \"output\": {\"image\": \"x\"}}", "invalid_image_list");
        assertThat(store().find("standard/abc")).isEmpty();
    }

    @Test
    void theStoreDownIs503AndTheSameDeliveryIsAcceptedOnceItIsBack() throws Exception {
        String id = sender.newPredictionId();
        byte[] body = sender.predictionBody(id, "succeeded", 1);
        Map<String, String> headers = signed(SECRET, StandardWebhooksSender.newMessageId(), now(), body);

        withStoreDown(() -> {
            HttpResponse<String> down = deliverStandard(headers, body);
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).isEqualTo("{\"error\":\"store_unavailable\"}");
        });

        // the same webhook-id again (the sender's retry): not recorded as seen by the failed attempt
        HttpResponse<String> retry = deliverStandard(headers, body);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (retry.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            retry = deliverStandard(headers, body);
        }
        assertThat(retry.body()).isEqualTo("{\"status\":\"accepted\"}");
        awaitState("standard/" + id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);
    }

    private void assertBadBody(String json, String token) {
        HttpResponse<String> answer = deliver(json.getBytes(StandardCharsets.UTF_8));
        assertThat(answer.statusCode()).as(json).isEqualTo(400);
        assertThat(answer.body()).as(json).isEqualTo("{\"error\":\"" + token + "\"}");
    }

    private static void assertRefused(HttpResponse<String> answer, String token) {
        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).isEqualTo("{\"error\":\"" + token + "\"}");
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
