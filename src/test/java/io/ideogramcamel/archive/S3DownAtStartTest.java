package io.ideogramcamel.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;

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

/**
 * S3 unreachable while the bundle starts (a bucket behind a closed port): the bundle must come up,
 * stay ready (the store accepts webhooks), report S3 DOWN on its own check and gauge, and archive
 * once S3 answers, with no restart.
 */
class S3DownAtStartTest extends BundleTestSupport {

    private static final String BUCKET = "late-bucket";

    private S3ProxyServer s3;
    private TcpForwarder s3Port;
    private ImageHost images;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-s3-down-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        s3Port = TcpForwarder.closed(s3.port());
        images = ImageHost.start("127.0.0.1");
        properties.set("storage.s3.bucket", BUCKET)
                .set("storage.s3.endpoint", "http://127.0.0.1:" + s3Port.port())
                .set("aws.accessKeyId", "test")
                .set("aws.secretAccessKey", "test")
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("archive.redrive-interval-millis", "500")
                .set("archive.retry.max-redeliveries", "1")
                .set("archive.retry.redelivery-delay-millis", "50")
                .set("archive.retry.initial-delay-seconds", "1")
                .set("archive.retry.max-delay-seconds", "1")
                .set("storage.probe-interval-seconds", "1");
    }

    @AfterAll
    void stopServers() throws IOException {
        closeQuietly(images);
        closeQuietly(s3Port);
        closeQuietly(s3);
    }

    @Test
    void theBundleStartsAcceptsAndArchivesOnceS3Answers() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        images.png("/late/0.png", ArchiveToS3Test.png(3));
        String url = images.url("/late/0.png");
        byte[] body = IdeogramStandIn.deliveryBody(id, IdeogramStandIn.image(url, true, 7));

        HttpResponse<String> accepted = deliver(ideogram.sign(id, body), body);

        assertThat(accepted.statusCode()).isEqualTo(200);
        // ready means "can accept webhooks": the store; S3 is shared by every replica
        HttpResponse<String> ready = Http.get(baseUrl() + "/observe/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"UP\"");
        HttpResponse<String> health = Http.get(baseUrl() + "/observe/health");
        // still visible, as its own check, with a fixed message
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("{\"name\":\"s3-bucket\",\"status\":\"DOWN\",\"message\":"
                + "\"bucket not reachable with the configured endpoint and credentials\"}");
        assertThat(awaitStorageGauge("0.0")).isTrue();
        Thread.sleep(1500);
        assertThat(store().find(id).orElseThrow().state()).isEqualTo(GenerationState.RECEIVED);

        s3Port.open();

        awaitState(id, GenerationState.ARCHIVED, Duration.ofSeconds(30));
        assertThat(s3.writeCount(BUCKET, "generations/" + id + "/manifest.json")).isEqualTo(1);
        assertThat(awaitStorageGauge("1.0")).isTrue();
    }

    /** Waits, bounded, until /observe/metrics shows ideogram_storage_up with {@code value}. */
    private boolean awaitStorageGauge(String value) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String metrics = Http.get(baseUrl() + "/observe/metrics").body();
            if (metrics.lines().anyMatch(l -> l.startsWith("ideogram_storage_up") && l.endsWith(" " + value))) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
