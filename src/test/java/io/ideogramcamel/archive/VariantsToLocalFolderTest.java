package io.ideogramcamel.archive;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.ImageHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static io.ideogramcamel.testing.IdeogramStandIn.image;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Variants in the embedded default (storage.dir): three per stored image next to it and in the
 * manifest, none for a refused image, FAILED with a reason for one that does not decode, and the
 * re-make endpoint (404, 409, 202; idempotent; a changed spec is made again).
 */
class VariantsToLocalFolderTest extends BundleTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "variants-test-token-of-at-least-32-chars";
    private static final Duration WITHIN = Duration.ofSeconds(30);

    private ImageHost images;
    private Path folder;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-variants-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        images = ImageHost.start("127.0.0.1");
        folder = Files.createTempDirectory("ideogram-variants-folder-");
        properties.set("api.token", TOKEN)
                .set("storage.dir", folder.toString())
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("archive.redrive-interval-millis", "300")
                // a variant of the tests' own, listed only when a test asks for it
                .set("variants.square.width", "200")
                .set("variants.square.height", "200")
                .set("variants.square.format", "png");
    }

    @AfterAll
    void stopImageHost() throws IOException {
        closeQuietly(images);
    }

    static byte[] encoded(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    private Path dir(String id) {
        return folder.resolve("generations").resolve(id);
    }

    private JsonNode manifest(String id) throws IOException {
        return JSON.readTree(dir(id).resolve("manifest.json").toFile());
    }

    private HttpResponse<String> remake(String id) {
        return Http.post(baseUrl() + "/generations/" + id + "/variants", Map.of("Authorization", "Bearer " + TOKEN),
                new byte[0]);
    }

    private VariantSpecs specs() {
        return context().getRegistry().lookupByNameAndType("variantSpecs", VariantSpecs.class);
    }

    private String archived(byte[] png, byte[] chunkedJpeg) throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        images.png("/" + id + "/0", png)
                .chunked("/" + id + "/1", chunkedJpeg, "image/jpeg")
                .png("/" + id + "/3", ArchiveToS3Test.png(7));
        byte[] body = IdeogramStandIn.deliveryBody(id, image(images.url("/" + id + "/0"), true, 1),
                image(images.url("/" + id + "/1"), true, 2), image(null, false, 3), image(images.url("/" + id + "/3"), true, 4));
        assertThat(deliver(ideogram.sign(id, body), body).statusCode()).isEqualTo(200);
        awaitState(id, GenerationState.ARCHIVED, WITHIN);
        return id;
    }

    @Test
    void everyStoredImageGetsItsThreeVariantsAndTheManifestListsThem() throws Exception {
        String id = archived(encoded(VariantRendererTest.banded(1600, 900), "png"),
                encoded(VariantRendererTest.banded(1024, 1024), "jpeg"));

        try (Stream<Path> files = Files.list(dir(id))) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactlyInAnyOrder(
                    "0.png", "0-og.webp", "0-thumb.webp", "0-social.webp",
                    "1.jpg", "1-og.webp", "1-thumb.webp", "1-social.webp",
                    "3.png", "manifest.json");
        }
        JsonNode listed = manifest(id).get("images");
        for (int i : new int[] {0, 1}) {
            JsonNode variants = listed.get(i).get("variants");
            assertThat(variants).hasSize(3);
            for (JsonNode v : variants) {
                Path file = folder.resolve(v.get("key").asText());
                byte[] bytes = Files.readAllBytes(file);
                BufferedImage decoded = ImageIO.read(file.toFile());
                assertThat(decoded.getWidth()).isEqualTo(v.get("width").asInt());
                assertThat(decoded.getHeight()).isEqualTo(v.get("height").asInt());
                assertThat(v.get("size").asLong()).isEqualTo(bytes.length);
                assertThat(v.get("sha256").asText()).isEqualTo(ArchiveToS3Test.sha256(bytes));
                assertThat(v.get("content_type").asText()).isEqualTo("image/webp");
            }
            assertThat(variants.findValuesAsText("name")).containsExactlyInAnyOrder("og", "thumb", "social");
        }
        // the thumb of the banded 1600x900 is its middle 900x900 (x 350..1250): as much of the red
        // band (x < 400) at the left as of the blue one (x >= 1200) at the right, the square centred
        BufferedImage thumb = ImageIO.read(dir(id).resolve("0-thumb.webp").toFile());
        assertThat(VariantRendererTest.dominant(thumb.getRGB(5, 200))).isEqualTo("red");
        assertThat(VariantRendererTest.dominant(thumb.getRGB(394, 200))).isEqualTo("blue");
        assertThat(VariantRendererTest.dominant(thumb.getRGB(40, 200))).isEqualTo("green");
        assertThat(VariantRendererTest.dominant(thumb.getRGB(360, 200))).isEqualTo("green");
        assertThat(VariantRendererTest.dominant(thumb.getRGB(200, 200))).isEqualTo("black");
        // the unsafe image: refused, no variants; the stored one that does not decode: each FAILED
        assertThat(listed.get(2).get("refused").asText()).isEqualTo("unsafe");
        assertThat(listed.get(2).get("variants")).isEmpty();
        assertThat(listed.get(3).get("key").asText()).endsWith("/3.png");
        assertThat(listed.get(3).get("variants").findValuesAsText("error"))
                .containsExactly("undecodable", "undecodable", "undecodable");
        // the manifest's earlier fields are as they were
        assertThat(listed.get(0).fieldNames()).toIterable().contains("index", "key", "prompt", "resolution",
                "is_image_safe", "content_type", "size", "sha256", "seed");
    }

    @Test
    void theReMakeAnswers404ForUnknown409ForNotArchivedAnd202ForArchived() throws Exception {
        assertThat(remake("no-such-generation").statusCode()).isEqualTo(404);
        assertThat(remake("no-such-generation").body()).isEqualTo("{\"error\":\"not_found\"}");
        assertThat(Http.post(baseUrl() + "/generations/x/variants", Map.of(), new byte[0]).statusCode())
                .as("no token").isEqualTo(401);
        assertThat(store().acceptReceived("gen-not-archived", "webhook", null, "[]")).isTrue();
        try (java.sql.Connection c = store().connection(); java.sql.Statement st = c.createStatement()) {
            // FAILED, so the archive's timer leaves it as it is
            st.executeUpdate("UPDATE generation SET state = 'FAILED' WHERE generation_id = 'gen-not-archived'");
        }
        HttpResponse<String> notArchived = remake("gen-not-archived");
        assertThat(notArchived.statusCode()).isEqualTo(409);
        assertThat(notArchived.body()).isEqualTo("{\"error\":\"not_archived\"}");
    }

    @Test
    void theReMakeMakesWhatIsMissingOrChangedOnceAndASecondCallChangesNothing() throws Exception {
        String id = archived(encoded(VariantRendererTest.banded(1200, 800), "png"),
                encoded(VariantRendererTest.banded(800, 1200), "jpeg"));
        byte[] thumbBefore = Files.readAllBytes(dir(id).resolve("0-thumb.webp"));
        byte[] ogBefore = Files.readAllBytes(dir(id).resolve("1-og.webp"));

        // the list changed: og lost weight (quality 40) and square is new
        String names = "og,thumb,social,square";
        VariantSpecs specs = specs();
        try {
            specs.setNames(names);
            System.setProperty("variants.og.quality", "40");
            specs.init();
            HttpResponse<String> answer = remake(id);
            assertThat(answer.statusCode()).isEqualTo(202);
            assertThat(answer.body()).contains("\"variants\":\"queued\"");
            awaitManifest(id, m -> m.get("images").get(0).get("variants").size() == 4);
        } finally {
            System.clearProperty("variants.og.quality");
        }
        assertThat(Files.readAllBytes(dir(id).resolve("0-thumb.webp"))).as("unchanged spec").isEqualTo(thumbBefore);
        assertThat(Files.readAllBytes(dir(id).resolve("1-og.webp"))).as("quality changed").isNotEqualTo(ogBefore);
        BufferedImage square = ImageIO.read(dir(id).resolve("1-square.png").toFile());
        assertThat(square.getWidth()).isEqualTo(200);
        assertThat(square.getHeight()).isEqualTo(200);

        // nothing left to do: the manifest is not rewritten, no variant written again
        Path manifest = dir(id).resolve("manifest.json");
        byte[] manifestBytes = Files.readAllBytes(manifest);
        Files.writeString(manifest, "marker");
        long syncs = writer().directorySyncs();
        assertThat(remake(id).statusCode()).isEqualTo(202);
        awaitLeaseGivenBack(id);
        assertThat(Files.readString(manifest)).isEqualTo("marker");
        assertThat(writer().directorySyncs()).isEqualTo(syncs);
        Files.write(manifest, manifestBytes);
        specs.setNames("og,thumb,social");
        specs.init();
    }

    @Test
    void theReMakeMakesAFailedVariantAgainOnceItsCauseIsGone() throws Exception {
        VariantSpecs specs = specs();
        String id;
        specs.setMaxSourcePixels(100);
        try {
            id = archived(encoded(VariantRendererTest.banded(600, 400), "png"),
                    encoded(VariantRendererTest.banded(400, 600), "jpeg"));
        } finally {
            specs.setMaxSourcePixels(16_777_216L);
        }
        assertThat(manifest(id).get("images").get(0).get("variants").findValuesAsText("error"))
                .isNotEmpty().containsOnly("too_large");

        assertThat(remake(id).statusCode()).isEqualTo(202);
        awaitManifest(id, m -> m.get("images").get(0).get("variants").findValuesAsText("error").isEmpty());
        assertThat(manifest(id).get("images").get(1).get("variants").findValuesAsText("key")).hasSize(3);
        assertThat(Files.exists(dir(id).resolve("0-og.webp"))).isTrue();
        // both flows decoded under the one count of permits, and gave every one back
        VariantWork work = context().getRegistry().lookupByNameAndType("variantWork", VariantWork.class);
        assertThat(work.availableDecodes())
                .isEqualTo(Integer.parseInt(context().resolvePropertyPlaceholders("{{archive.concurrency}}")));
    }

    @Test
    void aReMakeInAnotherFormatDeletesTheOldObjectAndTheManifestListsOnlyConfiguredNames() throws Exception {
        String id = archived(encoded(VariantRendererTest.banded(600, 400), "png"),
                encoded(VariantRendererTest.banded(400, 600), "jpeg"));
        assertThat(dir(id).resolve("0-og.webp")).exists();
        VariantSpecs specs = specs();
        try {
            System.setProperty("variants.og.format", "png");
            specs.init();
            assertThat(remake(id).statusCode()).isEqualTo(202);
            awaitManifest(id, m -> m.get("images").get(0).get("variants").findValuesAsText("key").stream()
                    .anyMatch(key -> key.endsWith("/0-og.png")));
            assertThat(dir(id).resolve("0-og.png")).exists();
            assertThat(dir(id).resolve("0-og.webp")).as("superseded").doesNotExist();
            assertThat(dir(id).resolve("1-og.webp")).as("superseded").doesNotExist();
            assertThat(dir(id).resolve("0-thumb.webp")).as("unchanged").exists();

            // og off the list, thumb changed: the manifest lists thumb and social only
            specs.setNames("thumb,social");
            System.setProperty("variants.thumb.quality", "50");
            specs.init();
            assertThat(remake(id).statusCode()).isEqualTo(202);
            awaitManifest(id, m -> !m.get("images").get(0).get("variants").findValuesAsText("name").contains("og"));
            assertThat(manifest(id).get("images").get(0).get("variants").findValuesAsText("name"))
                    .containsExactlyInAnyOrder("thumb", "social");
        } finally {
            System.clearProperty("variants.og.format");
            System.clearProperty("variants.thumb.quality");
            specs.setNames("og,thumb,social");
            specs.init();
        }
    }

    @Test
    void aFullReMakeQueueIs503QueueFullWithRetryAfterThroughTheApisOwnRefusal() throws Exception {
        String id = archived(encoded(VariantRendererTest.banded(600, 400), "png"),
                encoded(VariantRendererTest.banded(400, 600), "jpeg"));
        context().getRouteController().stopRoute("variants-remake");
        java.util.concurrent.BlockingQueue<org.apache.camel.Exchange> queue = context()
                .getEndpoint("seda:variants-remake", org.apache.camel.component.seda.SedaEndpoint.class).getQueue();
        try {
            while (queue.remainingCapacity() > 0) {
                queue.offer(new org.apache.camel.support.DefaultExchange(context()));
            }
            HttpResponse<String> answer = remake(id);
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.body()).isEqualTo("{\"error\":\"queue_full\"}");
            assertThat(answer.headers().firstValue("Retry-After")).hasValue("30");
        } finally {
            queue.clear();
            context().getRouteController().startRoute("variants-remake");
        }
    }

    @Test
    void theReMakeIsRefused409WhenVariantsAreOff() throws Exception {
        String id = archived(encoded(VariantRendererTest.banded(600, 400), "png"),
                encoded(VariantRendererTest.banded(400, 600), "jpeg"));
        VariantSpecs specs = specs();
        specs.setEnabled(false);
        try {
            HttpResponse<String> answer = remake(id);
            assertThat(answer.statusCode()).isEqualTo(409);
            assertThat(answer.body()).isEqualTo("{\"error\":\"variants_disabled\"}");
        } finally {
            specs.setEnabled(true);
        }
    }

    @Test
    void withVariantsDisabledTheArchiveMakesNone() throws Exception {
        VariantSpecs specs = specs();
        specs.setEnabled(false);
        try {
            String id = archived(encoded(VariantRendererTest.banded(600, 400), "png"),
                    encoded(VariantRendererTest.banded(400, 600), "jpeg"));
            try (Stream<Path> files = Files.list(dir(id))) {
                assertThat(files.map(f -> f.getFileName().toString()).toList())
                        .containsExactlyInAnyOrder("0.png", "1.jpg", "3.png", "manifest.json");
            }
            assertThat(manifest(id).get("images").get(0).get("variants")).isEmpty();
        } finally {
            specs.setEnabled(true);
        }
    }

    private LocalObjectWriter writer() {
        return context().getRegistry().lookupByNameAndType("localObjectWriter", LocalObjectWriter.class);
    }

    private void awaitManifest(String id, java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.test(manifest(id))) {
                    awaitLeaseGivenBack(id);
                    return;
                }
            } catch (IOException | RuntimeException notYet) {
                // mid-rename or not the expected content yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("manifest of " + id + " never met the condition: " + manifest(id));
    }

    /** The re-make gives its lease back when it ends: then nothing of it is still running. */
    private void awaitLeaseGivenBack(String id) throws Exception {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        // a moment for the queued re-make to take the lease, so "free" is not read before it started
        Thread.sleep(300);
        while (System.nanoTime() < deadline) {
            if (store().find(id).orElseThrow().leaseOwner() == null) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the re-make of " + id + " still holds its lease");
    }
}
