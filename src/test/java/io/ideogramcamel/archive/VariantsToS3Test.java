package io.ideogramcamel.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.ImageHost;
import io.ideogramcamel.testing.S3ProxyServer;
import io.ideogramcamel.testing.TcpForwarder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static io.ideogramcamel.testing.IdeogramStandIn.image;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Variants in a bucket (s3proxy, reached through a forwarder that can be closed): each stored
 * exactly once, read back from S3 for a re-run, retried like an image while S3 is away, and made
 * once when two re-makes are asked for at the same time.
 */
class VariantsToS3Test extends BundleTestSupport {

    private static final String BUCKET = "variants-test";
    private static final String PREFIX = "generations/";
    private static final String TOKEN = "variants-s3-token-of-at-least-32-chars";
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final List<String> NAMES = List.of("og", "thumb", "social");
    private static final ObjectMapper JSON = new ObjectMapper();

    private S3ProxyServer s3;
    private TcpForwarder s3Port;
    private ImageHost images;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-variants-s3-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        s3Port = new TcpForwarder(s3.port());
        images = ImageHost.start("127.0.0.1");
        properties.set("api.token", TOKEN)
                .set("storage.s3.bucket", BUCKET)
                .set("storage.s3.endpoint", "http://127.0.0.1:" + s3Port.port())
                .set("storage.s3.prefix", PREFIX)
                .set("aws.accessKeyId", "test")
                .set("aws.secretAccessKey", "test")
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("archive.redrive-interval-millis", "300")
                .set("archive.retry.max-redeliveries", "1")
                .set("archive.retry.redelivery-delay-millis", "50")
                .set("archive.retry.initial-delay-seconds", "1")
                .set("archive.retry.max-delay-seconds", "1");
    }

    @AfterAll
    void stopServers() throws IOException {
        closeQuietly(images);
        closeQuietly(s3Port);
        closeQuietly(s3);
    }

    private String archived() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        images.png("/" + id + "/0", VariantsToLocalFolderTest.encoded(VariantRendererTest.banded(1600, 900), "png"));
        byte[] body = IdeogramStandIn.deliveryBody(id, image(images.url("/" + id + "/0"), true, 1), image(null, false, 2));
        assertThat(deliver(ideogram.sign(id, body), body).statusCode()).isEqualTo(200);
        awaitState(id, GenerationState.ARCHIVED, WITHIN);
        return id;
    }

    private String key(String id, String name) {
        return PREFIX + id + "/0-" + name + ".webp";
    }

    @Test
    void eachVariantIsPutOnceAndAReRunMakesOnlyWhatWasNotRecorded() throws Exception {
        String id = archived();
        assertThat(originalReads(id)).as("decoded from the copy made on the way to S3").isZero();
        assertThat(s3.keys(BUCKET, PREFIX + id + "/")).containsExactlyInAnyOrder(PREFIX + id + "/0.png",
                key(id, "og"), key(id, "thumb"), key(id, "social"), PREFIX + id + "/manifest.json");
        JsonNode manifest = JSON.readTree(s3.read(BUCKET, PREFIX + id + "/manifest.json"));
        assertThat(manifest.get("images").get(0).get("variants")).hasSize(3);
        assertThat(manifest.get("images").get(1).get("variants")).as("refused: none").isEmpty();
        for (String name : NAMES) {
            assertThat(s3.contentType(BUCKET, key(id, name))).isEqualTo("image/webp");
            assertThat(ImageIO.read(new ByteArrayInputStream(s3.read(BUCKET, key(id, name))))).isNotNull();
            assertThat(s3.writeCount(BUCKET, key(id, name))).isEqualTo(1);
        }

        // a crash after og's put and before its record (and before ARCHIVED): only og is made again
        sql("DELETE FROM generation_variant WHERE generation_id = '" + id + "' AND variant = 'og'");
        asIfTheArchivedMarkWasLost(id);
        awaitState(id, GenerationState.ARCHIVED, WITHIN);

        assertThat(s3.writeCount(BUCKET, key(id, "og"))).isEqualTo(2);
        assertThat(s3.writeCount(BUCKET, key(id, "thumb"))).isEqualTo(1);
        assertThat(s3.writeCount(BUCKET, key(id, "social"))).isEqualTo(1);
        assertThat(s3.writeCount(BUCKET, PREFIX + id + "/0.png")).isEqualTo(1);
        assertThat(images.requests("/" + id + "/0")).isEqualTo(1);
        assertThat(originalReads(id)).as("the re-run read the original back from S3").isEqualTo(1);
    }

    @Test
    void whileS3IsAwayTheVariantsAreRetriedLikeAnImageAndMadeOnceItIsBack() throws Exception {
        String id = archived();
        sql("DELETE FROM generation_variant WHERE generation_id = '" + id + "'");
        s3Port.close();
        try {
            asIfTheArchivedMarkWasLost(id);
            awaitAttempts(id, 1);
            assertThat(store().find(id).orElseThrow().state()).isEqualTo(GenerationState.RECEIVED);
        } finally {
            s3Port.open();
        }
        awaitState(id, GenerationState.ARCHIVED, WITHIN);
        assertThat(variantRows(id)).isEqualTo(3);
        for (String name : NAMES) {
            assertThat(s3.writeCount(BUCKET, key(id, name))).isEqualTo(2);
        }
    }

    @Test
    void twoReMakesAtOnceMakeEachVariantOnce() throws Exception {
        String id = archived();
        sql("DELETE FROM generation_variant WHERE generation_id = '" + id + "'");
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> remake(id));
        CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> remake(id));
        assertThat(first.get().statusCode()).isEqualTo(202);
        assertThat(second.get().statusCode()).isEqualTo(202);
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (variantRows(id) < 3 || store().find(id).orElseThrow().leaseOwner() != null) {
            assertThat(System.nanoTime()).as("the re-make finished").isLessThan(deadline);
            Thread.sleep(50);
        }
        // a moment for a second re-make that might still be queued to run and find nothing to do
        Thread.sleep(500);
        for (String name : NAMES) {
            assertThat(s3.writeCount(BUCKET, key(id, name))).isEqualTo(2);
        }
        assertThat(s3.writeCount(BUCKET, PREFIX + id + "/manifest.json")).isEqualTo(2);
        assertThat(store().find(id).orElseThrow().state()).isEqualTo(GenerationState.ARCHIVED);
    }

    @Test
    void aReMakeInAnotherFormatDeletesTheOldObjectAndAnOriginalOverTheByteLimitIsTooLarge() throws Exception {
        String id = archived();
        VariantSpecs specs = context().getRegistry().lookupByNameAndType("variantSpecs", VariantSpecs.class);
        try {
            System.setProperty("variants.og.format", "png");
            specs.init();
            assertThat(remake(id).statusCode()).isEqualTo(202);
            awaitRemade(id, () -> s3.keys(BUCKET, PREFIX + id + "/").contains(PREFIX + id + "/0-og.png")
                    && !s3.keys(BUCKET, PREFIX + id + "/").contains(key(id, "og")));
        } finally {
            System.clearProperty("variants.og.format");
            specs.init();
        }
        assertThat(s3.keys(BUCKET, PREFIX + id + "/")).as("the superseded webp deleted, the rest kept")
                .contains(PREFIX + id + "/0-og.png", key(id, "thumb"), key(id, "social")).doesNotContain(key(id, "og"));

        // stored while ideogram.image.max-bytes was larger: read back, it is too large for its variants
        S3ObjectReader reader = context().getRegistry().lookupByNameAndType("s3ObjectReader", S3ObjectReader.class);
        reader.setMaxBytes(100);
        try {
            sql("DELETE FROM generation_variant WHERE generation_id = '" + id + "'");
            assertThat(remake(id).statusCode()).isEqualTo(202);
            awaitRemade(id, () -> failures(id).size() == 3);
        } finally {
            reader.setMaxBytes(50L * 1024 * 1024);
        }
        assertThat(failures(id)).containsOnly("too_large");
        assertThat(store().find(id).orElseThrow().state()).isEqualTo(GenerationState.ARCHIVED);
    }

    private List<String> failures(String id) throws Exception {
        List<String> reasons = new java.util.ArrayList<>();
        try (java.sql.Connection c = store().connection(); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT failure_reason FROM generation_variant WHERE generation_id = '"
                        + id + "' AND outcome = 'FAILED'")) {
            while (rs.next()) {
                reasons.add(rs.getString(1));
            }
        }
        return reasons;
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private void awaitRemade(String id, Check check) throws Exception {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!check.holds() || store().find(id).orElseThrow().leaseOwner() != null) {
            assertThat(System.nanoTime()).as("the re-make finished").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private long originalReads(String id) {
        return s3.exchanges().stream()
                .filter(e -> e.method().equals("GET") && (PREFIX + id + "/0.png").equals(e.key()))
                .count();
    }

    private HttpResponse<String> remake(String id) {
        return Http.post(baseUrl() + "/generations/" + id + "/variants", Map.of("Authorization", "Bearer " + TOKEN),
                new byte[0]);
    }

    private int variantRows(String id) throws Exception {
        try (java.sql.Connection c = store().connection(); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(
                        "SELECT COUNT(*) FROM generation_variant WHERE generation_id = '" + id + "' AND outcome = 'STORED'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private void awaitAttempts(String id, int attempts) throws Exception {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (store().find(id).orElseThrow().attempts() < attempts) {
            assertThat(System.nanoTime()).as("an attempt was released for retry").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private void sql(String statement) throws Exception {
        try (java.sql.Connection c = store().connection(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }

    private void asIfTheArchivedMarkWasLost(String id) throws Exception {
        sql("UPDATE generation SET state = 'RECEIVED', lease_owner = NULL, lease_until = NULL, "
                + "next_attempt_at = 0, attempts = 0 WHERE generation_id = '" + id + "'");
    }
}
