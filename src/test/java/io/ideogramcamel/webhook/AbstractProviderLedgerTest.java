package io.ideogramcamel.webhook;

import io.ideogramcamel.store.AbstractGenerationStoreTest;
import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.StoreRetention;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What other providers tell the store besides a result, on each real database. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractProviderLedgerTest {

    private TestDatabase db;
    private GenerationStore store;
    private ProviderLedger ledger;

    protected abstract TestDatabase createDatabase() throws Exception;

    @BeforeEach
    void start() throws Exception {
        db = createDatabase();
        store = AbstractGenerationStoreTest.newStore(db.jdbcUrl(), db.username());
        store.start();
        store.find("warm-up");
        ledger = new ProviderLedger();
        ledger.setStore(store);
    }

    @AfterEach
    void stop() throws Exception {
        store.stop();
        db.close();
    }

    @Test
    void aDeliveryIsSeenOnlyOnceRecordedAndPerProvider() {
        assertThat(ledger.isDeliverySeen("standard", "msg_1")).isFalse();

        assertThat(ledger.recordDelivery("standard", "msg_1", "standard/p1", "succeeded")).isTrue();

        assertThat(ledger.isDeliverySeen("standard", "msg_1")).isTrue();
        assertThat(ledger.recordDelivery("standard", "msg_1", "standard/p1", "succeeded")).isFalse();
        // another provider's delivery ids are its own
        assertThat(ledger.isDeliverySeen("hmac", "msg_1")).isFalse();
    }

    @Test
    void aReportedFailureNeverOverwritesWhatTheStoreHolds() throws Exception {
        assertThat(store.acceptReceived("fal/done", "webhook", null, "[{\"url\":\"https://fal.media/a.png\"}]"))
                .isTrue();

        assertThat(ledger.recordFailed("fal/done", "webhook", "fal_error")).isFalse();
        assertThat(ledger.recordFailed("fal/broken", "webhook", "fal_error")).isTrue();
        assertThat(ledger.recordFailed("fal/broken", "webhook", "other_reason")).isFalse();

        assertThat(store.find("fal/done").orElseThrow().state()).isEqualTo(GenerationState.RECEIVED);
        GenerationRecord failed = store.find("fal/broken").orElseThrow();
        assertThat(failed.state()).isEqualTo(GenerationState.FAILED);
        assertThat(failed.error()).isEqualTo("fal_error");
        // a result that arrives after the failure is a duplicate: the failure stands
        assertThat(store.acceptReceived("fal/broken", "webhook", null, "[]")).isFalse();
    }

    @Test
    void progressMovesForwardOnlyAndAStatusWithoutPercentIsKept() {
        assertThat(ledger.findProgress("imagineapi/i1")).isEmpty();

        ledger.recordProgress("imagineapi/i1", "pending", null);
        ledger.recordProgress("imagineapi/i1", "starting", null);
        // updates without a percent replace each other, and no percent stays none
        assertThat(ledger.findProgress("imagineapi/i1").orElseThrow().status()).isEqualTo("starting");
        assertThat(ledger.findProgress("imagineapi/i1").orElseThrow().progress()).isNull();
        ledger.recordProgress("imagineapi/i1", "in-progress", 50);
        // an update that arrives late does not take the percent back
        ledger.recordProgress("imagineapi/i1", "in-progress", 25);
        ledger.recordProgress("imagineapi/i1", "in-progress", 250);
        // nor does one without a percent after a percent (a late "pending")
        ledger.recordProgress("imagineapi/i1", "pending", null);

        ProviderProgress progress = ledger.findProgress("imagineapi/i1").orElseThrow();
        assertThat(progress.status()).isEqualTo("in-progress");
        assertThat(progress.progress()).isEqualTo(100);
    }

    @Test
    void retentionForgetsAProvidersProgressAndDeliveriesWithItsGeneration() throws Exception {
        long old = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(40);
        db.execute("INSERT INTO generation (generation_id, state, updated_at) VALUES ('imagineapi/old', 'ARCHIVED', "
                + old + ")");
        ledger.recordProgress("imagineapi/old", "in-progress", 75);
        ledger.recordProgress("imagineapi/new", "in-progress", 10);
        ledger.recordDelivery("imagineapi", "old:completed:100", "imagineapi/old", "completed");
        ledger.recordDelivery("hmac", "evt_old", null, "note");
        // a generation that never came: its progress and deliveries go after the retention too
        ledger.recordProgress("imagineapi/never", "in-progress", 5);
        ledger.recordDelivery("imagineapi", "never:in-progress:5", "imagineapi/never", "in-progress");
        ledger.recordDelivery("hmac", "evt_new", null, "note");
        db.execute("UPDATE provider_delivery SET received_at = " + old + " WHERE delivery_id <> 'evt_new'");
        db.execute("UPDATE provider_progress SET updated_at = " + old + " WHERE generation_key = 'imagineapi/never'");
        StoreRetention retention = new StoreRetention();
        retention.setStore(store);
        retention.setArchivedDays(30);

        assertThat(retention.sweep()).isEqualTo(1);

        assertThat(ledger.findProgress("imagineapi/old")).isEmpty();
        assertThat(ledger.findProgress("imagineapi/never")).isEmpty();
        assertThat(ledger.findProgress("imagineapi/new")).isPresent();
        assertThat(ids("SELECT delivery_id FROM provider_delivery")).containsExactly("evt_new");
    }

    private List<String> ids(String sql) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
