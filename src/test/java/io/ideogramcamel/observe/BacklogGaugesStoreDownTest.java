package io.ideogramcamel.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import io.ideogramcamel.store.BacklogCounts;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.submit.SubmissionLedger;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * A store that stops answering: the gauges keep their last values, ideogram_store_up drops to 0,
 * and reading them (what a scrape does) neither waits on nor fails with the database.
 */
class BacklogGaugesStoreDownTest {

    @Test
    void aStoreThatIsDownLeavesTheLastValuesAndMarksItselfDown() throws Exception {
        String url = "jdbc:h2:file:" + Files.createTempDirectory("ideogram-gauges-down-").resolve("store") + ";WRITE_DELAY=0";
        GenerationStore store = new GenerationStore();
        store.setJdbcUrl(url);
        store.setConnectionTimeoutMillis(500);
        store.start();
        BacklogCounts counts = new BacklogCounts();
        counts.setStore(store);
        SubmissionLedger submissions = new SubmissionLedger();
        submissions.setStore(store);
        BacklogGauges gauges = new BacklogGauges();
        gauges.setCounts(counts);
        gauges.setSubmissions(submissions);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        gauges.bindTo(registry);

        assertThat(value(registry, "ideogram.archive.backlog")).isNaN();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO generation (generation_id, state, images, next_attempt_at, received_at, updated_at) "
                    + "VALUES ('down-1', 'RECEIVED', '[]', 0, 0, 0)");
        }
        gauges.refresh();
        assertThat(value(registry, "ideogram.archive.backlog")).isEqualTo(1.0);
        assertThat(value(registry, "ideogram.store.up")).isEqualTo(1.0);
        double age = value(registry, "ideogram.archive.backlog.oldest.age.seconds");

        store.stop();
        gauges.refresh();

        assertThat(value(registry, "ideogram.store.up")).isEqualTo(0.0);
        assertThat(value(registry, "ideogram.archive.backlog")).isEqualTo(1.0);
        assertThat(value(registry, "ideogram.archive.backlog.oldest.age.seconds")).isEqualTo(age);
        assertThat(value(registry, "ideogram.submit.queued")).isEqualTo(0.0);
    }

    private static double value(SimpleMeterRegistry registry, String name) {
        return registry.get(name).gauge().value();
    }
}
