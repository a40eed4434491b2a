package io.ideogramcamel.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/** The test servers themselves, against the real AWS SDK and a plain HTTP client. */
// a separate thread: a test stuck in a socket write still ends, and @AfterAll then cuts the socket
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestServersTest {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private static S3ProxyServer s3;

    @BeforeAll
    static void startS3() throws IOException {
        s3 = S3ProxyServer.start();
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    private static S3Client sdk(AwsCredentialsProvider credentials) {
        return S3Client.builder()
                .endpointOverride(URI.create(s3.endpoint()))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials)
                .build();
    }

    private static S3Client sdk() {
        return sdk(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")));
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void sdkPutsAreStoredIntactAndRecordedOnceInOrder() {
        s3.createBucket("puts");
        byte[] image = random(6 * 1024 * 1024 + 7, 1);
        byte[] manifest = "{\"generation_id\":\"g1\"}".getBytes(StandardCharsets.UTF_8);
        try (S3Client client = sdk()) {
            client.putObject(b -> b.bucket("puts").key("g1/0.png").contentType("image/png"),
                    RequestBody.fromInputStream(new ByteArrayInputStream(image), image.length));
            // a HEAD answer has a Content-Length but no body: the recorder must not wait for one
            assertThat(client.headObject(b -> b.bucket("puts").key("g1/0.png")).contentLength()).isEqualTo(image.length);
            client.putObject(b -> b.bucket("puts").key("g1/manifest.json").contentType("application/json"),
                    RequestBody.fromBytes(manifest));
        }

        assertThat(s3.read("puts", "g1/0.png")).isEqualTo(image);
        assertThat(s3.read("puts", "g1/manifest.json")).isEqualTo(manifest);
        assertThat(s3.read("puts", "g1/1.png")).isNull();
        assertThat(s3.contentType("puts", "g1/0.png")).isEqualTo("image/png");
        assertThat(s3.keys("puts", "g1/")).containsExactly("g1/0.png", "g1/manifest.json");

        assertThat(s3.recordingGaps()).isEmpty();
        List<S3ProxyServer.Write> writes = s3.writes("puts", "g1/");
        assertThat(writes).extracting(S3ProxyServer.Write::key).containsExactly("g1/0.png", "g1/manifest.json");
        assertThat(writes).extracting(S3ProxyServer.Write::operation).containsOnly(S3ProxyServer.Operation.PUT);
        assertThat(s3.writeCount("puts", "g1/0.png")).isEqualTo(1);
        assertThat(writes.get(1).startedAfter(writes.get(0))).isTrue();
        assertThat(writes.get(0).startedAfter(writes.get(1))).isFalse();

        // what the SDK puts on the wire, which the forwarder must carry untouched
        S3ProxyServer.Exchange put = writes.get(0).exchange();
        assertThat(put.requestHeaders())
                .containsEntry("expect", "100-continue")
                .containsEntry("content-encoding", "aws-chunked")
                .containsEntry("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
                .containsEntry("x-amz-decoded-content-length", Integer.toString(image.length))
                .doesNotContainKey("transfer-encoding");
        assertThat(put.requestBodyBytes()).isEqualTo(Long.parseLong(put.requestHeaders().get("content-length")))
                .isGreaterThan(image.length);
    }

    @Test
    void anonymousAndUnknownLengthPutsPassThrough() {
        s3.createBucket("anonymous");
        byte[] body = random(3 * 1024 * 1024, 2);
        try (S3Client client = sdk(AnonymousCredentialsProvider.create())) {
            client.putObject(b -> b.bucket("anonymous").key("known.bin"), RequestBody.fromBytes(body));
            client.putObject(b -> b.bucket("anonymous").key("unknown.bin"),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(body), "application/octet-stream"));
        }
        assertThat(s3.read("anonymous", "known.bin")).isEqualTo(body);
        assertThat(s3.read("anonymous", "unknown.bin")).isEqualTo(body);
        assertThat(s3.writeCount("anonymous", "known.bin")).isEqualTo(1);
        assertThat(s3.writeCount("anonymous", "unknown.bin")).isEqualTo(1);
        assertThat(s3.recordingGaps()).isEmpty();
        // unsigned aws-chunked; an unknown length is buffered by the SDK and still sent with a Content-Length
        assertThat(s3.writes("anonymous", "")).allSatisfy(w -> assertThat(w.exchange().requestHeaders())
                .containsEntry("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
                .containsEntry("content-encoding", "aws-chunked")
                .containsKey("content-length")
                .doesNotContainKey("authorization"));
    }

    @Test
    void chunkedBodiesPassThrough() throws Exception {
        s3.createBucket("raw");
        byte[] body = random(2 * 1024 * 1024 + 11, 6);
        String url = s3.endpoint() + "/raw/chunked.bin";
        // no length: the JDK client sends Transfer-Encoding: chunked
        HttpResponse<String> chunked = HTTP.send(HttpRequest.newBuilder(URI.create(url)).expectContinue(true)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(200);
        HttpResponse<String> after = HTTP.send(HttpRequest.newBuilder(URI.create(s3.endpoint() + "/raw/after.bin"))
                .PUT(HttpRequest.BodyPublishers.ofString("after")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).isEqualTo(200);

        assertThat(s3.read("raw", "chunked.bin")).isEqualTo(body);
        assertThat(s3.recordingGaps()).isEmpty();
        assertThat(s3.writes("raw", "")).extracting(S3ProxyServer.Write::key).containsExactly("chunked.bin", "after.bin");
        S3ProxyServer.Exchange chunkedPut = s3.writes("raw", "chunked.bin").get(0).exchange();
        assertThat(chunkedPut.requestHeaders()).containsEntry("transfer-encoding", "chunked");
        assertThat(chunkedPut.requestBodyBytes()).isEqualTo(body.length);
        assertThat(chunkedPut.requestHeaders()).containsEntry("expect", "100-Continue");
    }

    @Test
    void multipartUploadIsOneWriteAtCompletion() {
        s3.createBucket("multipart");
        byte[] part1 = random(5 * 1024 * 1024, 3);
        byte[] part2 = random(1024 * 1024 + 3, 4);
        try (S3Client client = sdk()) {
            String uploadId = client.createMultipartUpload(b -> b.bucket("multipart").key("big.bin")).uploadId();
            List<CompletedPart> parts = new ArrayList<>();
            byte[][] bodies = {part1, part2};
            for (int i = 0; i < bodies.length; i++) {
                int number = i + 1;
                String etag = client.uploadPart(b -> b.bucket("multipart").key("big.bin").uploadId(uploadId)
                        .partNumber(number), RequestBody.fromBytes(bodies[number - 1])).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            client.completeMultipartUpload(b -> b.bucket("multipart").key("big.bin").uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        }
        byte[] whole = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, whole, 0, part1.length);
        System.arraycopy(part2, 0, whole, part1.length, part2.length);
        assertThat(s3.read("multipart", "big.bin")).isEqualTo(whole);
        assertThat(s3.writes("multipart", "")).singleElement()
                .satisfies(w -> assertThat(w.operation()).isEqualTo(S3ProxyServer.Operation.COMPLETE_MULTIPART_UPLOAD));
        assertThat(s3.exchanges()).filteredOn(e -> "multipart".equals(e.bucket()) && e.method().equals("PUT"))
                .hasSize(2).allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
    }

    @Test
    void aStoppedS3RefusesPutsAndARestartedOneKeepsItsObjects() throws IOException {
        s3.createBucket("outage");
        String endpoint = s3.endpoint();
        try (S3Client client = sdk()) {
            client.putObject(b -> b.bucket("outage").key("before.png"), RequestBody.fromString("before"));
            s3.stop();
            assertThat(s3.isRunning()).isFalse();
            assertThatThrownBy(() -> client.putObject(b -> b.bucket("outage").key("during.png"),
                    RequestBody.fromString("during"))).isInstanceOf(SdkClientException.class);

            s3.restart();
            assertThat(s3.endpoint()).isEqualTo(endpoint);
            assertThat(s3.read("outage", "before.png")).asString(StandardCharsets.UTF_8).isEqualTo("before");
            client.putObject(b -> b.bucket("outage").key("during.png"), RequestBody.fromString("after"));
        }
        assertThat(s3.read("outage", "during.png")).asString(StandardCharsets.UTF_8).isEqualTo("after");
        assertThat(s3.writeCount("outage", "before.png")).isEqualTo(1);
        assertThat(s3.writeCount("outage", "during.png")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- image host

    private static HttpResponse<byte[]> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void imageHostServesScriptsAndCountsRequests() throws Exception {
        byte[] png = random(1000, 5);
        try (ImageHost host = ImageHost.start(); ImageHost other = ImageHost.start("127.0.0.2")) {
            host.png("/a.png", png)
                    .png("/flaky.png", png).failFirst("/flaky.png", 2, 503)
                    .status("/gone.png", 410)
                    .redirect("/moved.png", other.url("/b.png"));
            other.png("/b.png", png);
            assertThat(host.totalRequests()).isZero();

            HttpResponse<byte[]> a = get(host.url("/a.png"));
            assertThat(a.statusCode()).isEqualTo(200);
            assertThat(a.body()).isEqualTo(png);
            assertThat(a.headers().firstValue("Content-Type")).hasValue("image/png");
            assertThat(a.headers().firstValue("Content-Length")).hasValue("1000");

            assertThat(get(host.url("/flaky.png")).statusCode()).isEqualTo(503);
            assertThat(get(host.url("/flaky.png")).statusCode()).isEqualTo(503);
            assertThat(get(host.url("/flaky.png")).body()).isEqualTo(png);
            assertThat(get(host.url("/gone.png")).statusCode()).isEqualTo(410);
            assertThat(get(host.url("/nothing.png")).statusCode()).isEqualTo(404);

            HttpResponse<byte[]> moved = get(host.url("/moved.png"));
            assertThat(moved.statusCode()).isEqualTo(302);
            assertThat(moved.headers().firstValue("Location")).hasValue("http://127.0.0.2:" + other.port() + "/b.png");
            assertThat(get(moved.headers().firstValue("Location").orElseThrow()).body()).isEqualTo(png);

            assertThat(host.requests("/a.png")).isEqualTo(1);
            assertThat(host.requests("/flaky.png")).isEqualTo(3);
            assertThat(host.requests("/nothing.png")).isEqualTo(1);
            assertThat(host.requests("/never.png")).isZero();
            assertThat(host.totalRequests()).isEqualTo(7);
            assertThat(other.totalRequests()).isEqualTo(1);
            assertThat(other.url("/b.png")).startsWith("http://127.0.0.2:");
        }
    }

    @Test
    void slowPathWaitsBeforeAnswering() throws Exception {
        try (ImageHost host = ImageHost.start()) {
            host.png("/slow.png", new byte[] {1, 2, 3}).slow("/slow.png", 300);
            long start = System.nanoTime();
            assertThat(get(host.url("/slow.png")).body()).containsExactly(1, 2, 3);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void fiftyMebibytesStreamWithTheAdvertisedDigest() throws Exception {
        long length = 50L * 1024 * 1024;
        try (ImageHost host = ImageHost.start()) {
            host.sized("/big.png", length, "image/png").sizedChunked("/big-chunked.png", 4096, "image/webp");
            for (String path : List.of("/big.png", "/big-chunked.png")) {
                HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(host.url(path)))
                        .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                long count = 0;
                try (InputStream in = response.body()) {
                    byte[] buffer = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        digest.update(buffer, 0, n);
                        count += n;
                    }
                }
                long expected = path.equals("/big.png") ? length : 4096;
                assertThat(count).isEqualTo(expected);
                assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(ImageHost.sizedSha256(expected));
                if (path.equals("/big.png")) {
                    assertThat(response.headers().firstValue("Content-Length")).hasValue(Long.toString(length));
                } else {
                    assertThat(response.headers().firstValue("Content-Length")).isEmpty();
                    assertThat(response.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
                }
            }
        }
    }
}
