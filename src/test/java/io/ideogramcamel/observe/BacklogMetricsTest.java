package io.ideogramcamel.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Map;

import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.IdeogramStandIn;
import org.junit.jupiter.api.Test;

/**
 * The bundle as booted: every counter the routes increment is on /observe/metrics from the first
 * scrape, at 0 with its HELP text, and the route's micrometer endpoint increments that very series;
 * the backlog gauges show what the store holds; the JVM binders are on.
 */
class BacklogMetricsTest extends BundleTestSupport {

    private static final long HOUR_MILLIS = 3_600_000L;
    private String jdbcUrl;

    @Override
    protected String storeJdbcUrl() throws Exception {
        jdbcUrl = "jdbc:h2:file:" + Files.createTempDirectory("ideogram-backlog-").resolve("store") + ";WRITE_DELAY=0";
        return jdbcUrl;
    }

    @Override
    protected void configureBundle(BundleProperties properties) {
        properties.set("metrics.backlog-refresh-seconds", "1")
                // the rows this test writes stay as written: no poll runs while it does
                .set("ideogram.poll.interval-seconds", "3600");
    }

    @Test
    void everyCounterIsExportedAtZeroWithItsHelpBeforeTheFirstEvent() throws Exception {
        String scrape = Metrics.awaitScrape(baseUrl(), s -> s.contains("ideogram_api_rejected_total{"));
        for (MeterCatalog.Entry entry : MeterCatalog.COUNTERS) {
            String name = entry.name().replace('.', '_') + "_total";
            assertThat(scrape).contains("# HELP " + name + " " + entry.description() + "\n");
            if (entry.tag() == null) {
                assertThat(Metrics.samples(scrape, name)).as(name).hasSize(1);
                continue;
            }
            for (String value : entry.values()) {
                assertThat(Metrics.value(scrape, name, entry.tag() + "=\"" + value + "\"")).as(name + " " + value)
                        .isNotNull();
            }
        }
        assertThat(Metrics.value(scrape, "ideogram_archive_failed_total", "")).isEqualTo(0.0);
        assertThat(Metrics.value(scrape, "ideogram_poll_outcome_total", "outcome=\"rate_limited\"")).isEqualTo(0.0);
    }

    @Test
    void theRoutesIncrementTheRegisteredSeriesNotASecondOne() throws Exception {
        String reason = "reason=\"invalid_signature\"";
        String before = Metrics.awaitScrape(baseUrl(), s -> s.contains(reason));
        assertThat(Metrics.value(before, "ideogram_webhook_rejected_total", reason)).isEqualTo(0.0);
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        Map<String, String> headers = new java.util.HashMap<>(ideogram.sign(id, body));
        body[body.length - 2] ^= 1; // the signature no longer covers the body

        assertThat(deliver(headers, body).statusCode()).isEqualTo(401);

        String after = Metrics.scrape(baseUrl());
        assertThat(Metrics.value(after, "ideogram_webhook_rejected_total", reason)).isEqualTo(1.0);
        assertThat(after.lines().filter(l -> l.startsWith("# HELP ideogram_webhook_rejected_total "))).hasSize(1);
        assertThat(Metrics.samples(after, "ideogram_webhook_rejected_total"))
                .hasSameSizeAs(Metrics.samples(before, "ideogram_webhook_rejected_total"));
    }

    @Test
    void theBacklogGaugesShowWhatTheStoreHolds() throws Exception {
        long now = System.currentTimeMillis();
        try (Connection c = DriverManager.getConnection(jdbcUrl)) {
            // two requests queued behind a Retry-After an hour away: the dispatcher leaves them be
            queued(c, "qbacklog1", now);
            queued(c, "qbacklog2", now);
            // submitted: one due for its poll (3 images), one not yet (2 images)
            generation(c, "backlog-polled", "SUBMITTED", 3, now - 1000, null);
            generation(c, "backlog-waiting", "SUBMITTED", 2, now + HOUR_MILLIS, null);
            // received, waiting for the archiver until an hour from now; the oldest two hours old
            generation(c, "backlog-old", "RECEIVED", null, now + HOUR_MILLIS, now - 2 * HOUR_MILLIS);
            generation(c, "backlog-new", "RECEIVED", null, now + HOUR_MILLIS, now - 60_000);
        }

        String scrape = Metrics.awaitScrape(baseUrl(),
                s -> Double.valueOf(2.0).equals(Metrics.value(s, "ideogram_archive_backlog", "")));

        assertThat(Metrics.value(scrape, "ideogram_archive_backlog", "")).isEqualTo(2.0);
        assertThat(Metrics.value(scrape, "ideogram_submit_queued", "")).isEqualTo(2.0);
        assertThat(Metrics.value(scrape, "ideogram_submit_inflight_images", "")).isEqualTo(5.0);
        assertThat(Metrics.value(scrape, "ideogram_poll_due", "")).isEqualTo(1.0);
        assertThat(Metrics.value(scrape, "ideogram_archive_backlog_oldest_age_seconds", ""))
                .isBetween(7200.0, 7200.0 + 600);
        assertThat(Metrics.value(scrape, "ideogram_store_up", "")).isEqualTo(1.0);
        assertThat(scrape).contains("# HELP ideogram_archive_backlog_oldest_age_seconds ");
    }

    @Test
    void jvmAndProcessMetricsAreBound() throws Exception {
        String scrape = Metrics.awaitScrape(baseUrl(), s -> s.contains("ideogram_store_up"));
        assertThat(Metrics.names(scrape)).contains("jvm_memory_used_bytes", "jvm_memory_max_bytes",
                "jvm_threads_live_threads", "process_cpu_usage", "system_cpu_count", "process_uptime_seconds",
                "jvm_classes_loaded_classes", "jvm_gc_memory_allocated_bytes_total");
    }

    private static void queued(Connection c, String queuedId, long now) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission (queued_id, caller_waiting, request, "
                + "image_count, state, next_attempt_at, created_at, updated_at) VALUES (?, FALSE, '{}', 1, 'QUEUED', ?, ?, ?)")) {
            ps.setString(1, queuedId);
            ps.setLong(2, now + HOUR_MILLIS);
            ps.setLong(3, now);
            ps.setLong(4, now);
            ps.executeUpdate();
        }
    }

    private static void generation(Connection c, String id, String state, Integer images, long nextAttemptAt,
            Long receivedAt) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO generation (generation_id, state, image_count, "
                + "images, next_attempt_at, submitted_at, received_at, updated_at) VALUES (?, ?, ?, '[]', ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, state);
            ps.setObject(3, images);
            ps.setLong(4, nextAttemptAt);
            ps.setLong(5, System.currentTimeMillis());
            ps.setObject(6, receivedAt);
            ps.setLong(7, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }
}
