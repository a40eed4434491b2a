package io.ideogramcamel.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.store.AbstractGenerationStoreTest;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bundle as it runs, with the local Ideogram stand-in, an H2 file store and a local image
 * folder: a campaign of 2 products x 3 formats is queued, sent within a budget of 2 images in
 * flight (never a burst), archived whole, shown by GET /campaigns/{id} and its manifest (JSON and
 * CSV), and completed with one campaign.completed event that reaches a file: destination. Every
 * refusal has its fixed status, and nothing is stored for it.
 */
class CampaignsBundleTest extends BundleTestSupport {

    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "campaign-test-token-0123456789abcdef0123";
    /* ideogram.max-inflight-images; the stand-in allows more, so a burst would show. */
    private static final int BUDGET = 2;

    private LocalIdeogram local;
    private Path images;
    private Path events;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-campaigns-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        // the stand-in would take 10 at once: only the bundle's own budget keeps it at 2
        local = LocalIdeogram.builder().completionDelayMillis(300).maxInflightImages(10).start();
        images = Files.createTempDirectory("ideogram-campaigns-images-");
        events = Files.createTempDirectory("ideogram-campaigns-events-");
        properties.set("ideogram.api-url", local.baseUrl())
                .set("ideogram.jwks-url", local.jwksUrl())
                .set("ideogram.api-key", local.apiKey())
                .set("ideogram.max-inflight-images", Integer.toString(BUDGET))
                .set("ideogram.webhook.public-url", "http://127.0.0.1:" + serverPort + "/webhooks/ideogram")
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("ideogram.submit.dispatch-interval-millis", "200")
                .set("ideogram.submit.max-queued", "8")
                .set("ideogram.poll.interval-seconds", "1")
                .set("ideogram.poll.after-seconds", "1")
                .set("archive.redrive-interval-millis", "500")
                .set("storage.dir", images.toString())
                .set("api.token", TOKEN)
                .set("campaigns.max-requests", "10")
                .set("events.destinations", "file:" + events.toAbsolutePath())
                .set("events.dispatch.interval-millis", "300");
    }

    @AfterAll
    void stopServers() throws IOException {
        closeQuietly(local);
    }

    private static final String LAUNCH = "{\"name\":\"Spring launch\",\"products\":[\"Trail shoe\",\"Rain jacket\"],"
            + "\"formats\":[{\"name\":\"banner\",\"resolution\":\"1536x640\"},"
            + "{\"name\":\"square\",\"resolution\":\"1024x1024\",\"rendering_speed\":\"TURBO\"},"
            + "{\"name\":\"story\",\"resolution\":\"640x1536\"}],"
            + "\"prompt_template\":\"{product} for {season}, {format} layout\",\"metadata\":{\"season\":\"spring\"}}";

    @Test
    void aCampaignOfTwoProductsAndThreeFormatsIsQueuedSentWithinTheBudgetArchivedAndCompletedOnce() throws Exception {
        HttpResponse<String> created = post(LAUNCH, Map.of());

        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        assertThat(created.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode answer = JSON.readTree(created.body());
        String id = answer.path("campaign_id").asText();
        assertThat(answer.path("requests").asInt()).isEqualTo(6);

        JsonNode status = awaitCounts(id, "{\"archived\":6}");
        assertThat(status.path("name").asText()).isEqualTo("Spring launch");
        assertThat(status.path("requests")).hasSize(6);
        assertThat(status.path("requests").get(1).path("product").asText()).isEqualTo("Trail shoe");
        assertThat(status.path("requests").get(1).path("format").asText()).isEqualTo("square");
        List<String> generationIds = new ArrayList<>();
        status.path("requests").forEach(r -> {
            assertThat(r.path("state").asText()).isEqualTo("archived");
            assertThat(r.path("queued_id").asText()).startsWith("q");
            generationIds.add(r.path("generation_id").asText());
        });
        // sent as a queue: never more images at Ideogram than the budget, each request once
        assertThat(local.maxInflightImagesSeen()).isLessThanOrEqualTo(BUDGET);
        assertThat(local.submitBodies().stream().filter(b -> b.contains(" for spring, ")).count()).isEqualTo(6);
        assertThat(generationIds).doesNotHaveDuplicates();
        assertThat(local.prompt(generationIds.get(1))).isEqualTo("Trail shoe for spring, square layout");
        JsonNode generation = JSON.readTree(get("/generations/" + generationIds.get(5), Map.of()).body());
        assertThat(generation.path("metadata")).isEqualTo(JSON.readTree("{\"campaign\":\"Spring launch\","
                + "\"campaign_id\":\"" + id + "\",\"product\":\"Rain jacket\",\"format\":\"story\",\"season\":\"spring\"}"));

        JsonNode manifest = JSON.readTree(get("/campaigns/" + id + "/manifest", Map.of()).body());
        assertThat(manifest.path("images")).hasSize(6);
        JsonNode first = manifest.path("images").get(0);
        assertThat(first.path("product").asText()).isEqualTo("Trail shoe");
        assertThat(first.path("format").asText()).isEqualTo("banner");
        assertThat(first.path("generation_id").asText()).isEqualTo(generationIds.get(0));
        assertThat(first.path("image_index").asInt()).isZero();
        assertThat(first.path("content_type").asText()).isEqualTo("image/png");
        assertThat(first.path("sha256").asText()).matches("[0-9a-f]{64}");
        // every archived image with its three web-ready variants (variants.names), next to the original
        manifest.path("images").forEach(image -> assertThat(image.path("variants").fieldNames())
                .toIterable().containsExactly("og", "social", "thumb"));
        String ogKey = first.path("variants").path("og").asText();
        assertThat(ogKey).endsWith("/0-og.webp");
        try (Stream<Path> stored = Files.walk(images)) {
            assertThat(stored.filter(p -> p.toString().replace('\\', '/').endsWith(ogKey)).count()).isEqualTo(1);
        }
        try (Stream<Path> stored = Files.walk(images)) {
            String key = first.path("object_key").asText();
            assertThat(stored.filter(p -> p.toString().replace('\\', '/').endsWith(key)).findFirst())
                    .hasValueSatisfying(p -> assertThat(p.toFile().length()).isEqualTo(first.path("size_bytes").asLong()));
        }

        HttpResponse<String> csv = get("/campaigns/" + id + "/manifest", Map.of("Accept", "text/csv"));
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
        String[] lines = csv.body().split("\r\n");
        assertThat(lines).hasSize(7);
        assertThat(lines[0]).isEqualTo("product,format,generation_id,image_index,object_key,content_type,size_bytes,sha256,variants");
        assertThat(lines[1]).startsWith("Trail shoe,banner," + generationIds.get(0) + ",0,")
                .endsWith(",og=" + ogKey + ";social=" + ogKey.replace("-og.", "-social.") + ";thumb=" + ogKey.replace("-og.", "-thumb."));

        List<JsonNode> completed = completedEvents(id);
        assertThat(completed).hasSize(1);
        JsonNode data = completed.get(0).path("data");
        assertThat(data.path("counts")).isEqualTo(JSON.readTree("{\"archived\":6}"));
        assertThat(data.path("failed")).isEmpty();
        assertThat(data.path("metadata")).isEqualTo(JSON.readTree("{\"season\":\"spring\"}"));
        String eventId = completed.get(0).path("id").asText();
        AbstractGenerationStoreTest.await(WITHIN, () -> filesMentioning(eventId) == 1);
        assertThat(JSON.readTree(get("/campaigns/" + id, Map.of()).body()).path("completed_at").asText()).endsWith("Z");

        JsonNode list = JSON.readTree(get("/campaigns?limit=50", Map.of()).body());
        assertThat(list.path("campaigns").findValuesAsText("campaign_id")).contains(id);
    }

    @Test
    void aRepeatedIdempotencyKeyGetsTheSameAnswerAndAnotherBodyUnderItIsRefused() throws Exception {
        String body = "{\"name\":\"Repeat\",\"products\":[\"Mug\"],\"formats\":[{\"name\":\"square\"}]}";
        Map<String, String> key = Map.of("Idempotency-Key", "campaign-key-1");
        HttpResponse<String> first = post(body, key);
        int submissions = count("submission");

        HttpResponse<String> again = post(body, key);
        HttpResponse<String> reordered = post("{\"formats\":[{\"name\":\"square\"}],\"products\":[\"Mug\"],"
                + "\"name\":\"Repeat\"}", key);
        HttpResponse<String> other = post(body.replace("Mug", "Cup"), key);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(first.body());
        // the same campaign with its keys in another order is a repeat, not another body
        assertThat(reordered.statusCode()).as(reordered.body()).isEqualTo(202);
        assertThat(reordered.body()).isEqualTo(first.body());
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(other.body()).isEqualTo("{\"error\":\"idempotency_key_reused\"}");
        assertThat(count("submission")).isEqualTo(submissions);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{\"products\":[\"a\"],\"formats\":[{\"name\":\"f\"}]}|missing_field|name",
            "{\"name\":\" \",\"products\":[\"a\"],\"formats\":[{\"name\":\"f\"}]}|invalid_field|name",
            "{\"name\":\"n\",\"products\":[],\"formats\":[{\"name\":\"f\"}]}|invalid_field|products",
            "{\"name\":\"n\",\"products\":[\"a\",\"a\"],\"formats\":[{\"name\":\"f\"}]}|duplicate_product|products[1]",
            "{\"name\":\"n\",\"products\":[\"a\\u0000\"],\"formats\":[{\"name\":\"f\"}]}|invalid_field|products[0]",
            "{\"name\":\"n\",\"products\":[\"a\"]}|missing_field|formats",
            "{\"name\":\"n\",\"products\":[\"a\"],\"formats\":[{\"name\":\"f\"},{\"name\":\"g\",\"resolution\":\"big\"}]}|invalid_field|formats[1].resolution",
            "{\"name\":\"n\",\"products\":[\"a\"],\"formats\":[{\"name\":\"f\",\"num_images\":9}]}|invalid_field|formats[0].num_images",
            "{\"name\":\"n\",\"products\":[\"a\"],\"formats\":[{\"name\":\"f\",\"colour\":\"red\"}]}|unknown_field|formats[0].colour",
            "{\"name\":\"n\",\"products\":[\"a\"],\"formats\":[{\"resolution\":\"1024x1024\"}]}|missing_field|formats[0].name",
            "{\"name\":\"n\",\"products\":[\"a\",\"b\",\"c\",\"d\"],\"formats\":[{\"name\":\"f\"},{\"name\":\"g\"},{\"name\":\"h\"}]}|too_many_requests|products",
            "{\"name\":\"n\",\"products\":[\"a\"],\"formats\":[{\"name\":\"f\"}],\"prompt_template\":\"{prodcut}\"}|unknown_placeholder|prompt_template",
            "{\"name\":\"n\",\"products\":[\"a\"],\"formats\":[{\"name\":\"f\"}],\"metadata\":{\"product\":\"x\"}}|reserved_metadata_key|metadata",
            "{\"name\":\"n\",\"products\":[\"a\"],\"formats\":[{\"name\":\"f\"}],\"callback_url\":\"https://example.com/cb\"}|callbacks_not_configured|callback_url",
            "{\"name\":\"n\",\"products\":[\"a\"],\"formats\":[{\"name\":\"f\"}],\"budget\":1}|unknown_field|budget",
    })
    void aBadCampaignIs400NamingTheFieldAndNothingIsStoredOrSent(String body, String error, String field)
            throws Exception {
        int submissions = count("submission");
        int campaigns = count("campaign");

        HttpResponse<String> response = post(body, Map.of());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.createObjectNode().put("error", error).put("field", field));
        assertThat(count("submission")).isEqualTo(submissions);
        assertThat(count("campaign")).isEqualTo(campaigns);
    }

    @Test
    void notJsonIs400AndAFormPostIs415() {
        assertThat(post("{\"name\":", Map.of()).statusCode()).isEqualTo(400);
        assertThat(Http.post(baseUrl() + "/campaigns", Map.of("Authorization", "Bearer " + TOKEN, "Content-Type",
                "application/x-www-form-urlencoded"), "name=x".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(415);
    }

    @Test
    void anIdempotencyKeyOutsideVisibleAsciiIs400() throws Exception {
        int campaigns = count("campaign");
        HttpResponse<String> response = post("{\"name\":\"n\",\"products\":[\"a\"],\"formats\":[{\"name\":\"f\"}]}",
                Map.of("Idempotency-Key", "two words"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"invalid_idempotency_key\"}");
        assertThat(count("campaign")).isEqualTo(campaigns);
    }

    @Test
    void withoutTheTokenEveryCampaignEndpointIs401() throws Exception {
        int campaigns = count("campaign");
        assertThat(Http.post(baseUrl() + "/campaigns", Map.of("Content-Type", "application/json"),
                LAUNCH.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(401);
        for (String path : List.of("/campaigns", "/campaigns/cX", "/campaigns/cX/manifest")) {
            assertThat(Http.get(baseUrl() + path).statusCode()).as(path).isEqualTo(401);
        }
        assertThat(count("campaign")).isEqualTo(campaigns);
    }

    @Test
    void aCampaignTheQueueCannotHoldWholeIs429WithRetryAfterAndNothingIsStored() throws Exception {
        int submissions = count("submission");
        // 3 x 3 = 9 requests, within campaigns.max-requests (10) but more than the queue holds (8)
        String nine = "{\"name\":\"Big\",\"products\":[\"a\",\"b\",\"c\"],"
                + "\"formats\":[{\"name\":\"f\"},{\"name\":\"g\"},{\"name\":\"h\"}]}";

        HttpResponse<String> response = post(nine, Map.of());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).contains("30");
        assertThat(response.body()).isEqualTo("{\"error\":\"queue_full\"}");
        assertThat(count("submission")).isEqualTo(submissions);
    }

    @Test
    void unknownCampaignsAre404AndABadLimitIs400() {
        assertThat(get("/campaigns/cNoSuchCampaign", Map.of()).statusCode()).isEqualTo(404);
        assertThat(get("/campaigns/cNoSuchCampaign/manifest", Map.of("Accept", "text/csv")).statusCode()).isEqualTo(404);
        HttpResponse<String> limit = get("/campaigns?limit=0", Map.of());
        assertThat(limit.statusCode()).isEqualTo(400);
        assertThat(limit.body()).isEqualTo("{\"error\":\"invalid_limit\",\"field\":\"limit\"}");
    }

    private HttpResponse<String> post(String body, Map<String, String> extra) {
        Map<String, String> headers = new HashMap<>(extra);
        headers.put("Authorization", "Bearer " + TOKEN);
        headers.put("Content-Type", "application/json");
        return Http.post(baseUrl() + "/campaigns", headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String path, Map<String, String> extra) {
        Map<String, String> headers = new HashMap<>(extra);
        headers.put("Authorization", "Bearer " + TOKEN);
        return Http.get(baseUrl() + path, headers);
    }

    private JsonNode awaitCounts(String id, String counts) throws Exception {
        JsonNode expected = JSON.readTree(counts);
        JsonNode[] last = new JsonNode[1];
        try {
            AbstractGenerationStoreTest.await(WITHIN, () -> {
                try {
                    last[0] = JSON.readTree(get("/campaigns/" + id, Map.of()).body());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return last[0].path("counts").equals(expected);
            });
        } catch (AssertionError e) {
            throw new AssertionError("campaign " + id + " not " + counts + ": " + last[0], e);
        }
        return last[0];
    }

    private long filesMentioning(String text) {
        try (Stream<Path> files = Files.list(events)) {
            return files.filter(p -> {
                try {
                    return Files.readString(p).contains(text);
                } catch (IOException e) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<JsonNode> completedEvents(String campaignId) throws SQLException, IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Connection c = store().connection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT envelope FROM event_outbox WHERE event_type = 'campaign.completed'");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                JsonNode envelope = JSON.readTree(rs.getString(1));
                if (envelope.at("/data/campaign_id").asText().equals(campaignId)) {
                    out.add(envelope);
                }
            }
        }
        return out;
    }

    private int count(String table) throws SQLException {
        try (Connection c = store().connection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
