package io.ideogramcamel.archive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.ImageHost;
import io.ideogramcamel.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.ideogramcamel.testing.IdeogramStandIn.image;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runnable jar (heap capped at 256 MB) archiving into s3proxy: killed with kill -9 in the
 * middle of the work and restarted, and fed images of 50 MiB.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveProcessIT {

    private static final String BUCKET = "archive-it";
    private static final String PREFIX = "generations/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private IdeogramStandIn ideogram;
    private S3ProxyServer s3;
    private ImageHost images;

    @BeforeAll
    void startServers() throws Exception {
        ideogram = new IdeogramStandIn();
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        images = ImageHost.start("127.0.0.1");
    }

    @AfterAll
    void stopServers() {
        images.close();
        s3.close();
        ideogram.close();
    }

    private Map<String, String> environment(Path install) {
        Map<String, String> env = BundleProcess.archivingTo(ideogram, s3, BUCKET);
        env.put("ARCHIVE_REDRIVE_INTERVAL_MILLIS", "500");
        // the killed process's claims lapse quickly, so the restarted one takes them over
        env.put("ARCHIVE_LEASE_SECONDS", "3");
        return env;
    }

    @Test
    void killMinus9InTheMiddleOfArchivingThenRestartArchivesEverythingOnce() throws Exception {
        Path install = Files.createTempDirectory("ideogram-archive-kill9-");
        Map<String, byte[]> expected = new HashMap<>();
        List<String> ids = new ArrayList<>();
        BundleProcess bundle = BundleProcess.start(install, environment(install));
        try {
            for (int g = 0; g < 10; g++) {
                String id = IdeogramStandIn.newGenerationId();
                ids.add(id);
                String[] entries = new String[4];
                for (int i = 0; i < 4; i++) {
                    byte[] bytes = ArchiveToS3Test.png(g * 10 + i);
                    String path = "/" + id + "/" + i;
                    images.png(path, bytes).slow(path, 250);
                    expected.put(PREFIX + id + "/" + i + ".png", bytes);
                    entries[i] = image(images.url(path), true, i);
                }
                byte[] body = IdeogramStandIn.deliveryBody(id, entries);
                assertThat(Http.post(bundle.baseUrl() + "/webhooks/ideogram", ideogram.sign(id, body), body).statusCode())
                        .isEqualTo(200);
            }
            awaitImagesWritten(8);
            bundle.kill9();
            assertThat(s3.writes(BUCKET, PREFIX).size()).as("killed in the middle").isLessThan(50);
        } finally {
            bundle.close();
        }

        try (BundleProcess restarted = BundleProcess.start(install, environment(install))) {
            awaitArchived(ids, 90);
        }

        for (Map.Entry<String, byte[]> object : expected.entrySet()) {
            assertThat(s3.read(BUCKET, object.getKey())).as(object.getKey()).isEqualTo(object.getValue());
            // an image being written when the process died is written once more at most
            assertThat(s3.writeCount(BUCKET, object.getKey())).as(object.getKey()).isBetween(1, 2);
        }
        for (String id : ids) {
            List<S3ProxyServer.Write> writes = s3.writes(BUCKET, PREFIX + id + "/");
            S3ProxyServer.Write manifest = writes.stream().filter(w -> w.key().endsWith("manifest.json"))
                    .findFirst().orElseThrow();
            assertThat(s3.writeCount(BUCKET, manifest.key())).isEqualTo(1);
            assertThat(writes).filteredOn(w -> w != manifest).allMatch(manifest::startedAfter);
            JsonNode listed = JSON.readTree(s3.read(BUCKET, manifest.key())).get("images");
            for (int i = 0; i < 4; i++) {
                assertThat(listed.get(i).get("sha256").asText())
                        .isEqualTo(ArchiveToS3Test.sha256(expected.get(PREFIX + id + "/" + i + ".png")));
            }
        }
    }

    @Test
    void fiftyMebibyteImagesAreStreamedWithTheHeapCappedAt256Megabytes() throws Exception {
        Path install = Files.createTempDirectory("ideogram-archive-large-");
        long size = 50L * 1024 * 1024;
        String id = IdeogramStandIn.newGenerationId();
        images.sized("/" + id + "/0", size, "image/png");
        // no Content-Length: the bundle has to count, and S3 still needs a length up front
        images.sizedChunked("/" + id + "/1", size, "image/png");
        byte[] body = IdeogramStandIn.deliveryBody(id,
                image(images.url("/" + id + "/0"), true, 1), image(images.url("/" + id + "/1"), true, 2));

        try (BundleProcess bundle = BundleProcess.start(install, environment(install))) {
            assertThat(Http.post(bundle.baseUrl() + "/webhooks/ideogram", ideogram.sign(id, body), body).statusCode())
                    .isEqualTo(200);
            awaitArchived(List.of(id), 120);
        }

        JsonNode listed = JSON.readTree(s3.read(BUCKET, PREFIX + id + "/manifest.json")).get("images");
        for (int i = 0; i < 2; i++) {
            assertThat(listed.get(i).get("size").asLong()).isEqualTo(size);
            assertThat(listed.get(i).get("sha256").asText()).isEqualTo(ImageHost.sizedSha256(size));
            assertThat(s3.read(BUCKET, PREFIX + id + "/" + i + ".png")).hasSize((int) size);
        }
        assertThat(Files.readString(install.resolve("bundle.log"))).doesNotContain("OutOfMemoryError");
    }

    private void awaitImagesWritten(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (s3.writes(BUCKET, PREFIX).size() < count) {
            assertThat(System.nanoTime()).as("objects written in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Archived means manifest.json exists: its presence is the promise of completeness. */
    private void awaitArchived(List<String> ids, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> missing = ids;
        while (System.nanoTime() < deadline) {
            missing = ids.stream()
                    .filter(id -> !s3.keys(BUCKET, PREFIX + id + "/").contains(PREFIX + id + "/manifest.json"))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not archived within " + seconds + " s: " + missing);
    }
}
