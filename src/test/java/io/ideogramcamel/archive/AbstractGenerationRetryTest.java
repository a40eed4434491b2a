package io.ideogramcamel.archive;

import static io.ideogramcamel.store.AbstractGenerationStoreTest.newStore;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.testing.Concurrently;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * POST /generations/{id}/retry's decisions and its one guarded UPDATE, on each real database (the
 * subclasses): which failures go back to work (and to which state), which are refused and why,
 * and that retries at once move a generation once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractGenerationRetryTest {

    private static final long HOUR = 3_600_000L;

    protected TestDatabase db;
    private GenerationStore store;
    private GenerationRetry retry;

    protected abstract TestDatabase createDatabase() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        db = createDatabase();
        store = newStore(db.jdbcUrl(), db.username());
        store.start();
        store.find("schema"); // applies the migrations
        retry = new GenerationRetry();
        retry.setStore(store);
        retry.setLinksExpireAfterHours(24);
        retry.setPollExpireAfterHours(24);
    }

    @AfterEach
    void tearDown() throws Exception {
        store.stop();
        db.close();
    }

    /** A generation received {@code receivedHoursAgo} (null: never) and submitted {@code submittedHoursAgo}. */
    private void generation(String id, String state, String error, Integer receivedHoursAgo, Integer submittedHoursAgo)
            throws Exception {
        long now = System.currentTimeMillis();
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("INSERT INTO generation (generation_id, state, error, images, "
                        + "attempts, received_at, submitted_at, updated_at) VALUES (?, ?, ?, ?, 7, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, state);
            ps.setString(3, error);
            ps.setString(4, receivedHoursAgo == null ? null : "[{\"url\":\"https://ideogram.ai/x.png\"}]");
            ps.setObject(5, receivedHoursAgo == null ? null : now - receivedHoursAgo * HOUR);
            ps.setObject(6, submittedHoursAgo == null ? null : now - submittedHoursAgo * HOUR);
            ps.setLong(7, now);
            ps.executeUpdate();
        }
    }

    /** state, attempts, error, and whether it is due now. */
    private String row(String id) throws Exception {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT state, attempts, error, next_attempt_at FROM generation "
                        + "WHERE generation_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long due = rs.getLong(4);
                String when = rs.wasNull() ? "-" : due <= System.currentTimeMillis() + 1000 ? "due" : "later";
                return rs.getString(1) + " " + rs.getInt(2) + " " + rs.getString(3) + " " + when;
            }
        }
    }

    private String outcome(String id) {
        return retry.retry(id).getOutcome();
    }

    @Test
    void anArchiveFailureWhileTheLinksHoldGoesBackToReceivedDueNow() throws Exception {
        generation("arch", "FAILED", "image_http_404", 2, 3);

        RetryOutcome moved = retry.retry("arch");

        assertThat(moved.getOutcome()).isEqualTo("received");
        assertThat(moved.getAnswer()).isEqualTo("{\"generation_id\":\"arch\",\"state\":\"received\"}");
        assertThat(row("arch")).isEqualTo("RECEIVED 0 null due");
        assertThat(outcome("arch")).isEqualTo("not_failed");
    }

    @Test
    void anArchiveFailureAfterTheLinksExpiredStays() throws Exception {
        generation("late", "FAILED", "image_http_500", 25, 26);
        generation("lapsed", "FAILED", "links_expired", 2, 3);

        assertThat(outcome("late")).isEqualTo("links_expired");
        assertThat(outcome("lapsed")).isEqualTo("links_expired");
        assertThat(row("late")).isEqualTo("FAILED 7 image_http_500 -");
    }

    @Test
    void aPollFailureForWantOfNewsGoesBackToSubmittedWithinThePollWindow() throws Exception {
        generation("exp", "FAILED", "expired", null, 3);
        generation("unk", "FAILED", "unknown_at_ideogram", null, 1);
        generation("old", "FAILED", "expired", null, 25);

        assertThat(outcome("exp")).isEqualTo("submitted");
        assertThat(outcome("unk")).isEqualTo("submitted");
        assertThat(row("exp")).isEqualTo("SUBMITTED 0 null due");
        assertThat(outcome("old")).isEqualTo("poll_window_passed");
        assertThat(row("old")).isEqualTo("FAILED 7 expired -");
    }

    @Test
    void whatIdeogramOrAProviderSaidItselfIsNotRetryable() throws Exception {
        generation("said", "FAILED", "ideogram_failed", null, 1);
        generation("many", "FAILED", "too_many_images", null, 1);
        generation("imagineapi/x1", "FAILED", "imagineapi_failed", null, null);

        assertThat(outcome("said")).isEqualTo("not_retryable");
        assertThat(outcome("many")).isEqualTo("not_retryable");
        assertThat(retry.retry("imagineapi", "x1").getOutcome()).isEqualTo("not_retryable");
        assertThat(row("said")).isEqualTo("FAILED 7 ideogram_failed -");
    }

    @Test
    void onlyAFailedGenerationIsRetriedAndAnUnknownOneIsNotFound() throws Exception {
        generation("done", "ARCHIVED", null, 1, 2);

        assertThat(outcome("done")).isEqualTo("not_failed");
        assertThat(outcome("nothing")).isEqualTo("not_found");
        assertThat(retry.retry("No Such Provider", "x").getOutcome()).isEqualTo("not_found");
        assertThat(retry.retry("fal", "../x").getOutcome()).isEqualTo("not_found");
    }

    @Test
    void aProvidersGenerationIsRetriedByItsOwnId() throws Exception {
        generation("fal/req-1", "FAILED", "image_http_404", 1, null);

        RetryOutcome moved = retry.retry("fal", "req-1");

        assertThat(moved.getAnswer()).isEqualTo("{\"provider\":\"fal\",\"generation_id\":\"req-1\",\"state\":\"received\"}");
        assertThat(row("fal/req-1")).isEqualTo("RECEIVED 0 null due");
    }

    @Test
    void aQueuedIdIsFollowedToItsGenerationAndARefusedRequestIsNotRetryable() throws Exception {
        generation("gen-q", "FAILED", "unknown_at_ideogram", null, 1);
        db.execute("INSERT INTO submission (queued_id, request, image_count, state, generation_id, error, created_at, "
                + "updated_at) VALUES ('q-sent', '{}', 1, 'SENT', 'gen-q', NULL, 1, 1)");
        db.execute("INSERT INTO submission (queued_id, request, image_count, state, error, created_at, updated_at) "
                + "VALUES ('q-refused', '{}', 1, 'FAILED', 'prompt_rejected', 1, 1)");
        db.execute("INSERT INTO submission (queued_id, request, image_count, state, created_at, updated_at) "
                + "VALUES ('q-waiting', '{}', 1, 'QUEUED', 1, 1)");

        assertThat(retry.retry("q-sent").getAnswer()).isEqualTo("{\"generation_id\":\"gen-q\",\"state\":\"submitted\"}");
        assertThat(row("gen-q")).isEqualTo("SUBMITTED 0 null due");
        assertThat(outcome("q-refused")).isEqualTo("not_retryable");
        assertThat(outcome("q-waiting")).isEqualTo("not_failed");
    }

    @Test
    void retriesAtOnceMoveTheGenerationOnce() throws Exception {
        generation("race", "FAILED", "image_http_404", 1, 2);

        List<String> outcomes = Concurrently.run(8, () -> outcome("race"));

        assertThat(outcomes).filteredOn("received"::equals).hasSize(1);
        assertThat(outcomes).filteredOn("not_failed"::equals).hasSize(7);
        assertThat(row("race")).isEqualTo("RECEIVED 0 null due");
    }
}
