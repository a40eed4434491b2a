package io.ideogramcamel.archive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.ImageHost;
import io.ideogramcamel.testing.PostgresSchema;
import io.ideogramcamel.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.ideogramcamel.testing.IdeogramStandIn.image;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leases that survive crashes: the jar killed with kill -9 while it archives, then either restarted
 * as the same instance (it takes its own claims back at once, however long their lease) or
 * replaced by another instance on the same PostgreSQL (it takes over after the short default lease).
 * And a single image slower than the lease: the heartbeat keeps the claim, nobody fetches it twice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaseResumeIT {

    private static final String BUCKET = "lease-it";
    private static final String PREFIX = "generations/";

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

    private Map<String, String> environment(String instanceId) {
        Map<String, String> env = BundleProcess.archivingTo(ideogram, s3, BUCKET);
        env.put("ARCHIVE_REDRIVE_INTERVAL_MILLIS", "500");
        env.put("STORE_INSTANCE_ID", instanceId);
        return env;
    }

    @Test
    void restartedAsTheSameInstanceItTakesItsOwnClaimsBackAtOnce() throws Exception {
        Path install = Files.createTempDirectory("lease-resume-same-");
        Map<String, String> env = environment("archiver-1");
        // far longer than the 60 s allowed below: waiting the dead run's leases out cannot pass
        env.put("ARCHIVE_LEASE_SECONDS", "120");
        List<String> ids;
        try (BundleProcess bundle = BundleProcess.start(install, env)) {
            ids = deliverSlowGenerations(bundle, "same");
            awaitImagesWritten(PREFIX + "same", 8);
            bundle.kill9();
        }
        assertThat(manifests(ids)).as("killed in the middle of the archive").isLessThan(ids.size());

        long restartedAt = System.nanoTime();
        try (BundleProcess restarted = BundleProcess.start(install, env)) {
            awaitArchived(ids, restartedAt, 60);
        }
        assertThat(Files.readString(install.resolve("bundle.log")))
                .contains("Instance archiver-1 restarted: released");
        assertEachStoredOnce(ids);
    }

    @Test
    void anotherInstanceOnTheSamePostgresTakesOverADeadOneWithinTheShortLease() throws Exception {
        try (PostgresSchema schema = new PostgresSchema()) {
            Map<String, String> a = environment("pod-a");
            a.put("STORE_JDBC_URL", schema.jdbcUrl());
            a.put("STORE_USERNAME", PostgresSchema.USER);
            Map<String, String> b = new java.util.HashMap<>(a);
            b.put("STORE_INSTANCE_ID", "pod-b");
            // archive.lease-seconds stays at its default
            List<String> ids;
            try (BundleProcess podA = BundleProcess.start(Files.createTempDirectory("lease-pod-a-"), a)) {
                ids = deliverSlowGenerations(podA, "pg");
                awaitImagesWritten(PREFIX + "pg", 8);
                podA.kill9();
            }
            long killedAt = System.nanoTime();
            try (BundleProcess podB = BundleProcess.start(Files.createTempDirectory("lease-pod-b-"), b)) {
                awaitArchived(ids, killedAt, 60);
            }
            assertEachStoredOnce(ids);
        }
    }

    @Test
    void anImageSlowerThanTheLeaseIsFetchedOnceBecauseTheHeartbeatKeepsTheClaim() throws Exception {
        Map<String, String> env = environment("slow-1");
        // two workers and a re-drive every 0.5 s: a lapsed lease would be taken over at once
        env.put("ARCHIVE_LEASE_SECONDS", "3");
        String id = "slow" + IdeogramStandIn.newGenerationId();
        String path = "/" + id + "/0";
        images.png(path, ArchiveToS3Test.png(7)).slow(path, 10_000);
        byte[] body = IdeogramStandIn.deliveryBody(id, image(images.url(path), true, 0));
        try (BundleProcess bundle = BundleProcess.start(Files.createTempDirectory("lease-slow-"), env)) {
            assertThat(Http.post(bundle.baseUrl() + "/webhooks/ideogram", ideogram.sign(id, body), body).statusCode())
                    .isEqualTo(200);
            awaitArchived(List.of(id), System.nanoTime(), 60);
        }
        assertThat(images.requests(path)).as("fetched once, over three leases long").isEqualTo(1);
        assertThat(s3.writeCount(BUCKET, PREFIX + id + "/0.png")).isEqualTo(1);
        assertThat(s3.writeCount(BUCKET, PREFIX + id + "/manifest.json")).isEqualTo(1);
    }

    /** Ten generations of four images, each image answered after 250 ms. */
    private List<String> deliverSlowGenerations(BundleProcess bundle, String tag) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int g = 0; g < 10; g++) {
            String id = tag + IdeogramStandIn.newGenerationId();
            ids.add(id);
            String[] entries = new String[4];
            for (int i = 0; i < 4; i++) {
                String path = "/" + id + "/" + i;
                images.png(path, ArchiveToS3Test.png(g * 10 + i)).slow(path, 250);
                entries[i] = image(images.url(path), true, i);
            }
            byte[] body = IdeogramStandIn.deliveryBody(id, entries);
            assertThat(Http.post(bundle.baseUrl() + "/webhooks/ideogram", ideogram.sign(id, body), body).statusCode())
                    .isEqualTo(200);
        }
        return ids;
    }

    private void assertEachStoredOnce(List<String> ids) {
        for (String id : ids) {
            for (int i = 0; i < 4; i++) {
                // an image being written when the process died is written once more at most
                assertThat(s3.writeCount(BUCKET, PREFIX + id + "/" + i + ".png")).as(id + "/" + i).isBetween(1, 2);
            }
            assertThat(s3.writeCount(BUCKET, PREFIX + id + "/manifest.json")).as(id).isEqualTo(1);
        }
    }

    private long manifests(List<String> ids) {
        return ids.stream().filter(id -> s3.keys(BUCKET, PREFIX + id + "/").contains(PREFIX + id + "/manifest.json"))
                .count();
    }

    private void awaitImagesWritten(String prefix, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (s3.writes(BUCKET, prefix).size() < count) {
            assertThat(System.nanoTime()).as("objects written in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Archived means manifest.json exists; the bound counts from {@code since}. */
    private void awaitArchived(List<String> ids, long since, int seconds) throws InterruptedException {
        long deadline = since + TimeUnit.SECONDS.toNanos(seconds);
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
