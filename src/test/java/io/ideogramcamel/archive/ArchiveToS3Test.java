package io.ideogramcamel.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.ImageHost;
import io.ideogramcamel.testing.LogCapture;
import io.ideogramcamel.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static io.ideogramcamel.testing.IdeogramStandIn.image;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The archive route against real parts: s3proxy as the bucket, an image host on 127.0.0.1 (the
 * only allowed host) and a second one on 127.0.0.2 that must never be contacted.
 */
class ArchiveToS3Test extends BundleTestSupport {

    private static final String BUCKET = "archive-test";
    private static final String PREFIX = "generations/";
    private static final Duration ARCHIVED_WITHIN = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private S3ProxyServer s3;
    private ImageHost images;
    private ImageHost otherHost;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-archive-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        images = ImageHost.start("127.0.0.1");
        otherHost = ImageHost.start("127.0.0.2");
        properties.set("storage.s3.bucket", BUCKET)
                .set("storage.s3.endpoint", s3.endpoint())
                .set("storage.s3.prefix", PREFIX)
                .set("aws.accessKeyId", "test")
                .set("aws.secretAccessKey", "test")
                .set("ideogram.image-hosts", "127.0.0.1")
                // the loopback image hosts speak plain http
                .set("ideogram.image.allow-http", "true")
                .set("archive.redrive-interval-millis", "500")
                .set("archive.retry.redelivery-delay-millis", "50")
                .set("archive.retry.max-redelivery-delay-millis", "200")
                .set("archive.retry.initial-delay-seconds", "1")
                .set("archive.retry.max-delay-seconds", "2");
    }

    @AfterAll
    void stopServers() throws IOException {
        closeQuietly(images);
        closeQuietly(otherHost);
        closeQuietly(s3);
    }

    /*
     * A re-run after a crash between the manifest's put and ARCHIVED: every image is recorded and the
     * manifest is in the bucket. It is not put twice (nor any image), and the generation ends archived.
     */
    @Test
    void aReRunThatFindsItsManifestStoredDoesNotPutItAgain() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        images.image("/" + id + "/0", png(9), "image/png");
        deliverSigned(id, image(images.url("/" + id + "/0"), true, 9));
        awaitState(id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);
        assertThat(s3.writeCount(BUCKET, PREFIX + id + "/manifest.json")).isEqualTo(1);

        asIfTheArchivedMarkWasLost(id);
        awaitState(id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);

        assertThat(s3.writeCount(BUCKET, PREFIX + id + "/manifest.json")).isEqualTo(1);
        assertThat(s3.writeCount(BUCKET, PREFIX + id + "/0.png")).isEqualTo(1);
        assertThat(images.requests("/" + id + "/0")).isEqualTo(1);
    }

    /* The row as a crash right after the manifest's put leaves it: RECEIVED, free, due now. */
    private void asIfTheArchivedMarkWasLost(String id) throws Exception {
        try (java.sql.Connection c = store().connection(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE generation SET state = 'RECEIVED', lease_owner = NULL, lease_until = NULL, "
                    + "next_attempt_at = 0 WHERE generation_id = '" + id + "'");
        }
    }

    @Test
    void fourImagesAreStoredOnceWithTheirBytesAndTheManifestLast() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        byte[][] bodies = { png(1), jpeg(2), webp(3), gif(4) };
        String[] types = { "image/png", "image/jpeg", "image/webp", "image/gif" };
        String[] extensions = { "png", "jpg", "webp", "gif" };
        String[] entries = new String[4];
        for (int i = 0; i < 4; i++) {
            images.image("/" + id + "/" + i, bodies[i], types[i]);
            entries[i] = image(images.url("/" + id + "/" + i) + "?exp=1&sig=abc", true, 100 + i);
        }

        deliverSigned(id, entries);
        awaitState(id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);

        JsonNode manifest = manifest(id);
        assertThat(manifest.get("generation_id").asText()).isEqualTo(id);
        assertThat(manifest.get("source").asText()).isEqualTo("webhook");
        assertThat(manifest.get("created").asText()).isEqualTo("2026-11-24T16:00:00Z");
        assertThat(manifest.get("images")).hasSize(4);
        for (int i = 0; i < 4; i++) {
            String key = PREFIX + id + "/" + i + "." + extensions[i];
            JsonNode entry = manifest.get("images").get(i);
            assertThat(s3.read(BUCKET, key)).isEqualTo(bodies[i]);
            assertThat(s3.writeCount(BUCKET, key)).isEqualTo(1);
            assertThat(entry.get("index").asInt()).isEqualTo(i);
            assertThat(entry.get("key").asText()).isEqualTo(key);
            assertThat(entry.get("seed").asLong()).isEqualTo(100 + i);
            assertThat(entry.get("prompt").asText()).isEqualTo("a red fox");
            assertThat(entry.get("resolution").asText()).isEqualTo("1024x1024");
            assertThat(entry.get("is_image_safe").asBoolean()).isTrue();
            assertThat(entry.get("content_type").asText()).isEqualTo(types[i]);
            assertThat(entry.get("size").asLong()).isEqualTo(bodies[i].length);
            assertThat(entry.get("sha256").asText()).isEqualTo(sha256(bodies[i]));
        }
        List<S3ProxyServer.Write> writes = s3.writes(BUCKET, PREFIX + id + "/");
        S3ProxyServer.Write manifestWrite = writes.stream()
                .filter(w -> w.key().endsWith("manifest.json")).findFirst().orElseThrow();
        assertThat(s3.writeCount(BUCKET, PREFIX + id + "/manifest.json")).isEqualTo(1);
        assertThat(writes).filteredOn(w -> w != manifestWrite).hasSize(4)
                .allMatch(manifestWrite::startedAfter);
    }

    @Test
    void onlyRasterBytesAreStoredUnderTheirVerifiedTypeWhateverTheHeaderSays() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".getBytes(StandardCharsets.UTF_8);
        byte[] html = "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8);
        byte[] disguised = png(5);
        images.image("/" + id + "/0", svg, "image/svg+xml")
                .image("/" + id + "/1", svg, "image/png")
                .image("/" + id + "/2", html, "image/png")
                // raster bytes behind a vector type are refused too: the header alone decides that much
                .image("/" + id + "/3", png(6), "image/svg+xml")
                .image("/" + id + "/4", disguised, "image/jpeg");
        String[] entries = new String[5];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = image(images.url("/" + id + "/" + i), true, i);
        }

        deliverSigned(id, entries);
        awaitState(id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);

        JsonNode listed = manifest(id).get("images");
        for (int i = 0; i < 4; i++) {
            assertThat(listed.get(i).get("refused").asText()).isEqualTo("unsupported_image_type");
        }
        // stored under the type its bytes prove, not the one announced
        String key = PREFIX + id + "/4.png";
        assertThat(listed.get(4).has("refused")).isFalse();
        assertThat(listed.get(4).get("key").asText()).isEqualTo(key);
        assertThat(listed.get(4).get("content_type").asText()).isEqualTo("image/png");
        assertThat(s3.read(BUCKET, key)).isEqualTo(disguised);
        assertThat(s3.contentType(BUCKET, key)).isEqualTo("image/png");
        assertThat(s3.keys(BUCKET, PREFIX + id + "/")).containsExactlyInAnyOrder(key, PREFIX + id + "/manifest.json");
    }

    @Test
    void aDuplicateDeliveryAfterArchivingFetchesAndWritesNothing() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        images.png("/" + id + "/0", png(7));
        byte[] body = IdeogramStandIn.deliveryBody(id, image(images.url("/" + id + "/0"), true, 1));
        deliver(ideogram.sign(id, body), body);
        awaitState(id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);
        int writes = s3.writes(BUCKET, PREFIX + id + "/").size();

        assertThat(deliver(ideogram.sign(id, body), body).body()).isEqualTo("{\"status\":\"duplicate\"}");
        Thread.sleep(1500); // three re-drive ticks

        assertThat(images.requests("/" + id + "/0")).isEqualTo(1);
        assertThat(s3.writes(BUCKET, PREFIX + id + "/")).hasSize(writes);
    }

    @Test
    void aDisallowedHostAndARedirectToOneAreNeverContacted() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        images.png("/" + id + "/0", png(10));
        otherHost.png("/" + id + "/elsewhere", png(11));
        images.redirect("/" + id + "/hop", otherHost.url("/" + id + "/elsewhere"));

        deliverSigned(id,
                image(images.url("/" + id + "/0"), true, 1),
                image(otherHost.url("/" + id + "/elsewhere"), true, 2),
                image(images.url("/" + id + "/hop"), true, 3));
        awaitState(id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);

        assertThat(otherHost.totalRequests()).isZero();
        assertThat(s3.keys(BUCKET, PREFIX + id + "/"))
                .containsExactlyInAnyOrder(PREFIX + id + "/0.png", PREFIX + id + "/manifest.json");
        JsonNode listed = manifest(id).get("images");
        assertThat(listed.get(1).get("refused").asText()).isEqualTo("host_not_allowed");
        assertThat(listed.get(1).get("key").isNull()).isTrue();
        assertThat(listed.get(2).get("refused").asText()).isEqualTo("redirect_host_not_allowed");
    }

    @Test
    void anUnsafeImageIsNeverFetchedEvenWithAUrl() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        images.png("/" + id + "/unsafe", png(20));

        try (LogCapture archiveLines = LogCapture.of("io.ideogramcamel.archive")) {
            deliverSigned(id, image(images.url("/" + id + "/unsafe"), false, 1), image(null, false, 2));
            awaitState(id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);

            // the log line carries the reason the manifest records, not just the index
            assertThat(archiveLines.lines()).contains(
                    "WARN image refused generation_id=" + id + " index=0 reason=unsafe",
                    "WARN image refused generation_id=" + id + " index=1 reason=unsafe");
        }

        assertThat(images.requests("/" + id + "/unsafe")).isZero();
        JsonNode listed = manifest(id).get("images");
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).get("refused").asText()).isEqualTo("unsafe");
        assertThat(listed.get(0).get("is_image_safe").asBoolean()).isFalse();
        assertThat(listed.get(1).get("refused").asText()).isEqualTo("unsafe");
    }

    @Test
    void anImageHostAnswering500TwiceIsRetriedUntilItServesAndOnlyThatImageIsFetchedAgain() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        byte[][] bodies = { png(30), png(31), png(32) };
        for (int i = 0; i < 3; i++) {
            images.png("/" + id + "/" + i, bodies[i]);
        }
        // the middle one, so a retry that picked the wrong entry of the plan would show
        images.failFirst("/" + id + "/1", 2, 500);

        deliverSigned(id, image(images.url("/" + id + "/0"), true, 1), image(images.url("/" + id + "/1"), true, 2),
                image(images.url("/" + id + "/2"), true, 3));
        awaitState(id, GenerationState.ARCHIVED, ARCHIVED_WITHIN);

        assertThat(images.requests("/" + id + "/0")).isEqualTo(1);
        assertThat(images.requests("/" + id + "/1")).isEqualTo(3);
        assertThat(images.requests("/" + id + "/2")).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(s3.read(BUCKET, PREFIX + id + "/" + i + ".png")).isEqualTo(bodies[i]);
            assertThat(s3.writeCount(BUCKET, PREFIX + id + "/" + i + ".png")).isEqualTo(1);
        }
    }

    @Test
    void anExpiredLinkFailsTheGenerationAndKeepsWhatWasStored() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        images.png("/" + id + "/0", png(40)).status("/" + id + "/1", 403);

        deliverSigned(id, image(images.url("/" + id + "/0"), true, 1), image(images.url("/" + id + "/1"), true, 2));
        GenerationRecord failed = awaitState(id, GenerationState.FAILED, ARCHIVED_WITHIN);

        assertThat(failed.error()).isEqualTo("image_http_403");
        assertThat(images.requests("/" + id + "/1")).isEqualTo(1);
        assertThat(s3.keys(BUCKET, PREFIX + id + "/")).containsExactly(PREFIX + id + "/0.png");
    }

    @Test
    void s3DownForTwentySecondsLosesNothingAndResumesWithoutRestart() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        byte[] bytes = png(50);
        images.png("/" + id + "/0", bytes);
        s3.stop();
        try {
            deliverSigned(id, image(images.url("/" + id + "/0"), true, 1));
            Thread.sleep(20_000);
            assertThat(store().find(id).orElseThrow().state()).isEqualTo(GenerationState.RECEIVED);
        } finally {
            s3.restart();
        }

        GenerationRecord archived = awaitState(id, GenerationState.ARCHIVED, Duration.ofSeconds(60));
        // the in-process retries were spent and the generation went back to the re-drive timer
        assertThat(archived.attempts()).isGreaterThanOrEqualTo(1);
        assertThat(s3.read(BUCKET, PREFIX + id + "/0.png")).isEqualTo(bytes);
        assertThat(s3.writeCount(BUCKET, PREFIX + id + "/0.png")).isEqualTo(1);
        assertThat(s3.writeCount(BUCKET, PREFIX + id + "/manifest.json")).isEqualTo(1);
    }

    private void deliverSigned(String id, String... entries) {
        byte[] body = IdeogramStandIn.deliveryBody(id, entries);
        assertThat(deliver(ideogram.sign(id, body), body).statusCode()).isEqualTo(200);
    }

    private JsonNode manifest(String id) throws IOException {
        return JSON.readTree(s3.read(BUCKET, PREFIX + id + "/manifest.json"));
    }

    /** Distinct small bodies with a PNG signature; the bytes only have to round-trip, not decode. */
    static byte[] png(int seed) {
        return withMagic(seed, (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
    }

    /** As {@link #png}, with a JPEG signature. */
    static byte[] jpeg(int seed) {
        return withMagic(seed, (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0);
    }

    /** As {@link #png}, with a WebP signature (RIFF, a length, WEBP). */
    static byte[] webp(int seed) {
        return withMagic(seed, 'R', 'I', 'F', 'F', 0x10, 0x20, 0, 0, 'W', 'E', 'B', 'P');
    }

    /** As {@link #png}, with a GIF signature. */
    static byte[] gif(int seed) {
        return withMagic(seed, 'G', 'I', 'F', '8', '9', 'a');
    }

    private static byte[] withMagic(int seed, int... magic) {
        byte[] bytes = new byte[1000 + seed];
        for (int i = 0; i < magic.length; i++) {
            bytes[i] = (byte) magic[i];
        }
        for (int i = magic.length; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return bytes;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

}
