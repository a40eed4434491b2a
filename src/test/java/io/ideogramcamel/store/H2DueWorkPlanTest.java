package io.ideogramcamel.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;

/**
 * The timers ask H2 for due work every few seconds while the table grows with every accepted
 * generation. The question must be answered from the (state, next_attempt_at) index, read in order
 * and stopped at the limit, or each call reads every due row: with 129,000 received generations that
 * was 2 s of CPU every 5 s. H2's plan says which it does ("index sorted", and how many rows it read).
 */
class H2DueWorkPlanTest {

    private static final Pattern SCAN_COUNT = Pattern.compile("scanCount: (\\d+)");

    private H2Database db;

    @BeforeEach
    void setUp() throws Exception {
        db = new H2Database();
        db.migrate();
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    @Test
    void dueReceivedGenerationsAreReadInIndexOrderAndOnlyUpToTheLimit() throws Exception {
        for (int i = 0; i < 300; i++) {
            db.execute("INSERT INTO generation (generation_id, state, next_attempt_at, updated_at) VALUES ('gen-" + i
                    + "', 'RECEIVED', " + (1000 + i) + ", 0)");
        }
        String plan = analyzedPlan(new LeasedRows("generation", "generation_id", "state = 'RECEIVED'").findDue(), 10);

        assertThat(plan).contains("GENERATION_STATE_NEXT_ATTEMPT").contains("/* index sorted */");
        assertThat(scanCount(plan)).isLessThanOrEqualTo(11);
    }

    @Test
    void duePendingEventDeliveriesAreReadInIndexOrderAndOnlyUpToTheLimit() throws Exception {
        db.execute("INSERT INTO event_outbox (event_id, event_type, envelope, created_at) "
                + "VALUES ('evt-1', 'generation.completed', '{}', 0)");
        for (int i = 0; i < 300; i++) {
            db.execute("INSERT INTO event_delivery (event_id, destination, kind, state, next_attempt_at, updated_at) "
                    + "VALUES ('evt-1', 'd" + i + "', 'ENDPOINT', 'PENDING', " + (1000 + i) + ", 0)");
        }
        String plan = analyzedPlan(new LeasedRows("event_delivery", "delivery_id", "state = 'PENDING'").findDue(), 10);

        assertThat(plan).contains("EVENT_DELIVERY_STATE_NEXT_ATTEMPT").contains("/* index sorted */");
        assertThat(scanCount(plan)).isLessThanOrEqualTo(11);
    }

    private String analyzedPlan(String sql, int limit) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("EXPLAIN ANALYZE " + sql)) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static int scanCount(String plan) {
        Matcher m = SCAN_COUNT.matcher(plan);
        assertThat(m.find()).as("scanCount in %s", plan).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
