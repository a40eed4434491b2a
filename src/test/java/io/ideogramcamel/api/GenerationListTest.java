package io.ideogramcamel.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.submit.SubmissionLedger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /generations?state=failed pages through failed generations and refused requests as one list,
 * newest first, with a cursor, and never reads the stored request bodies.
 */
class GenerationListTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private GenerationStore store;
    private GenerationStatusView view;
    private String url;

    @BeforeEach
    void start() throws Exception {
        url = "jdbc:h2:file:" + dir.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0";
        store = new GenerationStore();
        store.setJdbcUrl(url);
        store.setUsername("sa");
        store.start();
        SubmissionLedger submissions = new SubmissionLedger();
        submissions.setStore(store);
        view = new GenerationStatusView();
        view.setStore(store);
        view.setSubmissions(submissions);
        store.find("warm-up"); // applies the migrations
    }

    @AfterEach
    void stop() {
        store.stop();
    }

    @Test
    void failedGenerationsAndRefusedRequestsArePagedAsOneNewestFirstList() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                s.execute("INSERT INTO generation (generation_id, state, error, updated_at) VALUES ('gen" + i
                        + "', 'FAILED', 'expired', " + (100 + 20 * i) + ")");
                s.execute("INSERT INTO submission (queued_id, request, image_count, state, error, created_at, updated_at) "
                        + "VALUES ('q" + i + "', '{\"text_prompt\":\"" + "p".repeat(5000) + "\"}', 1, 'FAILED', "
                        + "'prompt_rejected', 1, " + (110 + 20 * i) + ")");
            }
        }

        JsonNode first = JSON.readTree(view.list("failed", "2", null)).get("generations");
        // ISO-8601 UTC with milliseconds, like the manifest's created; the epoch value was 150 ms
        assertThat(first.get(0).get("updated_at").asText()).isEqualTo("1970-01-01T00:00:00.150Z");
        assertThat(first.get(1).get("updated_at").asText()).isEqualTo("1970-01-01T00:00:00.140Z");

        List<String> ids = new ArrayList<>();
        String after = null;
        for (int pages = 0; pages < 5; pages++) {
            JsonNode page = JSON.readTree(view.list("failed", "2", after));
            page.get("generations").forEach(g -> ids.add(g.has("generation_id") ? g.get("generation_id").asText()
                    : g.get("queued_id").asText()));
            assertThat(page.toString()).doesNotContain("ppppp");
            if (!page.has("next")) {
                break;
            }
            after = page.get("next").asText();
        }

        assertThat(ids).containsExactly("q2", "gen2", "q1", "gen1", "q0", "gen0");
    }

    @Test
    void aCursorThisApiDidNotGiveIsRefused() {
        for (String bad : new String[] {"not base64!", "eHl6", "x".repeat(500)}) {
            assertThatThrownBy(() -> view.list("archived", "10", bad))
                    .isInstanceOfSatisfying(ApiRejectedException.class, e -> {
                        assertThat(e.getReason()).isEqualTo("invalid_cursor");
                        assertThat(e.getField()).isEqualTo("after");
                    });
        }
    }
}
