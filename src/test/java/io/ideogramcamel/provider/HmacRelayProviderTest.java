package io.ideogramcamel.provider;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.standin.HmacRelaySender;
import io.ideogramcamel.testing.ArchivedKeys;
import io.ideogramcamel.testing.Concurrently;
import io.ideogramcamel.testing.BundleProperties;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HMAC relay deliveries (seed 001's scheme, both body shapes) through the bundle into s3proxy,
 * signed by the stand-in's relay. The image hosts are the default, {{ideogram.image-hosts}}.
 */
class HmacRelayProviderTest extends ProviderBundleSupport {

    private static final String SECRET = "test-hmac-relay-secret-6f1c";
    private static final String PATH = "/webhooks/hmac";

    private HmacRelaySender relay;

    @Override
    void configureProvider(BundleProperties properties) {
        properties.set("providers.hmac.secret", SECRET);
        relay = standIn.hmacRelay();
    }

    private HttpResponse<String> deliver(byte[] body) {
        return post(PATH, HmacRelaySender.headers(SECRET, now(), body), body);
    }

    @Test
    void aRelayedResultIsArchivedOnceUnderConcurrentAndRepeatedDuplicates() throws Exception {
        String id = relay.newId();
        byte[] body = relay.resultBody(id, 2);
        List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(() -> deliver(body));
        }

        List<HttpResponse<String>> answers = Concurrently.run(calls);
        HttpResponse<String> again = deliver(body);

        assertThat(answers).allMatch(a -> a.statusCode() == 200);
        assertThat(answers).filteredOn(a -> a.body().equals("{\"status\":\"accepted\"}")).hasSize(1);
        assertThat(answers).filteredOn(a -> a.body().equals("{\"status\":\"duplicate\"}")).hasSize(7);
        assertThat(again.body()).isEqualTo("{\"status\":\"duplicate\"}");
        awaitState("hmac/" + id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);
        String dir = PREFIX + "hmac/" + id + "/";
        assertThat(s3.keys(BUCKET, dir)).containsExactlyInAnyOrder(ArchivedKeys.of(dir, 0, 1));
        for (String key : s3.keys(BUCKET, dir)) {
            assertThat(s3.writeCount(BUCKET, key)).as(key).isEqualTo(1);
        }
        assertThat(relay.imageFetches(id, 0)).isEqualTo(1);
        assertThat(relay.imageFetches(id, 1)).isEqualTo(1);
        JsonNode manifest = manifest("hmac", id);
        assertThat(manifest.get("provider").asText()).isEqualTo("hmac");
        // Ideogram's data[] fields travel with the relayed images
        assertThat(manifest.get("images").get(1).get("seed").asLong()).isEqualTo(1001);
        assertThat(manifest.get("images").get(0).get("prompt").asText()).isEqualTo("a lighthouse relayed over HMAC");
        JsonNode status = status("hmac", id);
        assertThat(status.get("provider").asText()).isEqualTo("hmac");
        assertThat(status.get("generation_id").asText()).isEqualTo(id);
        assertThat(status.get("state").asText()).isEqualTo("archived");
    }

    @Test
    void anEnvelopeIsDeduplicatedOnItsEventIdAndItsResultArchivedOnce() throws Exception {
        String id = relay.newId();
        String eventId = "evt_" + relay.newId();
        byte[] event = relay.eventBody(eventId, "generation.completed", id, 1);
        List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(() -> deliver(event));
        }

        List<HttpResponse<String>> answers = Concurrently.run(calls);
        HttpResponse<String> repeated = deliver(event);
        // another event about the same generation (a relay re-announcing it): the accept drops it
        HttpResponse<String> other = deliver(relay.eventBody("evt_" + relay.newId(), "image.ready", id, 1));

        assertThat(answers).allMatch(a -> a.statusCode() == 200);
        assertThat(answers).filteredOn(a -> a.body().equals("{\"status\":\"accepted\"}")).hasSize(1);
        assertThat(repeated.statusCode()).isEqualTo(200);
        assertThat(repeated.body()).isEqualTo("{\"status\":\"duplicate\"}");
        assertThat(other.body()).isEqualTo("{\"status\":\"duplicate\"}");
        awaitState("hmac/" + id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);
        String dir = PREFIX + "hmac/" + id + "/";
        assertThat(s3.keys(BUCKET, dir)).containsExactlyInAnyOrder(ArchivedKeys.of(dir, 0));
        assertThat(s3.writeCount(BUCKET, dir + "0.png")).isEqualTo(1);
        assertThat(manifest("hmac", id).get("provider").asText()).isEqualTo("hmac");
        assertThat(status("hmac", id).get("state").asText()).isEqualTo("archived");
    }

    @Test
    void anEventWithoutImagesIsRecordedAndItsRepeatIsADuplicate() {
        String eventId = "evt_" + relay.newId();
        byte[] event = relay.eventWithoutImagesBody(eventId, "resource.updated");

        HttpResponse<String> first = deliver(event);
        HttpResponse<String> repeated = deliver(event);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"status\":\"recorded\"}");
        assertThat(first.headers().firstValue("Content-Type")).hasValue("application/json");
        // the signature headers are not echoed back
        assertThat(first.headers().firstValue(HmacRelaySender.SIGNATURE_HEADER)).isEmpty();
        assertThat(repeated.body()).isEqualTo("{\"status\":\"duplicate\"}");
    }

    @Test
    void forgedStaleAndUnsignedDeliveriesAre401AndStoreNothing() throws Exception {
        String id = relay.newId();
        byte[] body = relay.resultBody(id, 1);
        Map<String, String> forged = HmacRelaySender.headers("not-the-secret", now(), body);
        Map<String, String> stale = HmacRelaySender.headers(SECRET, now() - 3600, body);
        Map<String, String> upperHex = HmacRelaySender.headers(SECRET, now(), body);
        upperHex.put(HmacRelaySender.SIGNATURE_HEADER, upperHex.get(HmacRelaySender.SIGNATURE_HEADER).toUpperCase());
        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("1024x1024", "2048x2048")
                .getBytes(StandardCharsets.UTF_8);

        assertRefused(post(PATH, forged, body), "invalid_signature");
        assertRefused(post(PATH, stale, body), "stale_timestamp");
        assertRefused(post(PATH, Map.of("Content-Type", "application/json"), body), "missing_signature_headers");
        assertRefused(post(PATH, upperHex, body), "malformed_signature_headers");
        assertRefused(post(PATH, HmacRelaySender.headers(SECRET, now(), body), tampered), "invalid_signature");

        Thread.sleep(500);
        assertThat(store().find("hmac/" + id)).isEmpty();
        assertThat(s3.keys(BUCKET, PREFIX + "hmac/" + id + "/")).isEmpty();
        assertThat(relay.imageFetches(id, 0)).isZero();
        assertThat(io.ideogramcamel.testing.Http.get(baseUrl() + "/generations/hmac/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void badBodiesAre400WithAFixedToken() {
        assertThat(deliverText("{\"generation_id\": \"abc\", \"data\": [").body()).isEqualTo("{\"error\":\"invalid_json\"}");
        assertThat(deliverText("{\"generation_id\": \"../etc\", \"data\": []}").body())
                .isEqualTo("{\"error\":\"invalid_provider_id\"}");
        assertThat(deliverText("{\"id\": \"evt/1\", \"type\": \"generation.completed\", \"data\": {}}").body())
                .isEqualTo("{\"error\":\"invalid_provider_id\"}");
        assertThat(deliverText("{\"generation_id\": \"abc\", \"data\": {\"url\": \"x\"}}").body())
                .isEqualTo("{\"error\":\"invalid_image_list\"}");
        assertThat(deliverText("{\"type\": \"generation.completed\"}").body())
                .isEqualTo("{\"error\":\"missing_generation_id\"}");
        StringBuilder many = new StringBuilder("{\"generation_id\": \"many\", \"data\": [");
        for (int i = 0; i < 17; i++) {
            many.append(i == 0 ? "" : ",").append("{\"url\": \"http://127.0.0.1/x.png\"}");
        }
        HttpResponse<String> tooMany = deliverText(many.append("]}").toString());
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(tooMany.body()).isEqualTo("{\"error\":\"too_many_images\"}");
        assertThat(store().find("hmac/many")).isEmpty();
    }

    @Test
    void theStoreDownIs503AndTheSameDeliveryIsAcceptedOnceItIsBack() throws Exception {
        String id = relay.newId();
        byte[] body = relay.resultBody(id, 1);

        withStoreDown(() -> {
            HttpResponse<String> down = deliver(body);
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).isEqualTo("{\"error\":\"store_unavailable\"}");
        });

        HttpResponse<String> retry = deliver(body);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (retry.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            retry = deliver(body);
        }
        assertThat(retry.body()).isEqualTo("{\"status\":\"accepted\"}");
        awaitState("hmac/" + id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);
    }

    private HttpResponse<String> deliverText(String json) {
        HttpResponse<String> answer = deliver(json.getBytes(StandardCharsets.UTF_8));
        assertThat(answer.statusCode()).as(json).isEqualTo(400);
        return answer;
    }

    private static void assertRefused(HttpResponse<String> answer, String token) {
        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).isEqualTo("{\"error\":\"" + token + "\"}");
    }
}
