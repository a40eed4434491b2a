package io.ideogramcamel.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;

import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.ImageHost;
import io.ideogramcamel.testing.LogCapture;
import io.ideogramcamel.testing.S3ProxyServer;
import io.ideogramcamel.testing.TcpForwarder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * S3 taken away after the bundle archived once: the archive is deferred (not an "archive error"),
 * counted in ideogram_archive_retried_total, logged in one line naming the endpoint and "Connection
 * refused", and archived once S3 is back.
 */
class S3OutageMidArchiveTest extends BundleTestSupport {

    private static final String BUCKET = "outage-bucket";

    private S3ProxyServer s3;
    private TcpForwarder s3Port;
    private ImageHost images;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-s3-outage-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        s3Port = new TcpForwarder(s3.port());
        images = ImageHost.start("127.0.0.1");
        properties.set("storage.s3.bucket", BUCKET)
                .set("storage.s3.endpoint", "http://127.0.0.1:" + s3Port.port())
                .set("aws.accessKeyId", "test")
                .set("aws.secretAccessKey", "test-secret-never-logged")
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("archive.redrive-interval-millis", "500")
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

    @Test
    void anOutageIsDeferredCountedNamedAndArchivedOnceS3IsBack() throws Exception {
        String before = IdeogramStandIn.newGenerationId();
        images.png("/before/0.png", ArchiveToS3Test.png(1));
        deliverSigned(before, IdeogramStandIn.image(images.url("/before/0.png"), true, 1));
        awaitState(before, GenerationState.ARCHIVED, Duration.ofSeconds(30));

        try (LogCapture archiveLines = LogCapture.of("io.ideogramcamel.archive")) {
            s3Port.close();
            String id = IdeogramStandIn.newGenerationId();
            images.png("/during/0.png", ArchiveToS3Test.png(2));
            deliverSigned(id, IdeogramStandIn.image(images.url("/during/0.png"), true, 2));

            String line = archiveLines.await(30_000, "archive deferred generation_id=" + id);
            assertThat(line).isNotNull()
                    .startsWith("WARN ")
                    .contains("target=s3 endpoint=http://127.0.0.1:" + s3Port.port())
                    .contains("Connection refused")
                    .doesNotContain("test-secret-never-logged")
                    .doesNotContain("\n");
            assertThat(archiveLines.lines()).noneMatch(l -> l.contains("archive error"));
            assertThat(retriedCount()).isGreaterThan(0);
            assertThat(store().find(id).orElseThrow().state()).isEqualTo(GenerationState.RECEIVED);

            s3Port.open();

            awaitState(id, GenerationState.ARCHIVED, Duration.ofSeconds(30));
            assertThat(s3.writeCount(BUCKET, "generations/" + id + "/manifest.json")).isEqualTo(1);
            assertThat(s3.writeCount(BUCKET, "generations/" + id + "/0.png")).isEqualTo(1);
        }
    }

    private void deliverSigned(String id, String... entries) {
        byte[] body = IdeogramStandIn.deliveryBody(id, entries);
        assertThat(deliver(ideogram.sign(id, body), body).statusCode()).isEqualTo(200);
    }

    private double retriedCount() throws Exception {
        return Http.get(baseUrl() + "/observe/metrics").body().lines()
                .filter(l -> l.startsWith("ideogram_archive_retried_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
