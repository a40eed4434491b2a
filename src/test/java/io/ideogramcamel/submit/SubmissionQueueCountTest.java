package io.ideogramcamel.submit;

import io.ideogramcamel.store.AbstractGenerationStoreTest;
import io.ideogramcamel.store.GenerationStore;
import static org.assertj.core.api.Assertions.assertThat;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * The queue's length as POST /generations' cap reads it, on each real database: only QUEUED rows
 * count, and never more than asked for; a request is found again by its Idempotency-Key.
 */
class SubmissionQueueCountTest {

    private static final String REQUEST = "{\"text_prompt\":\"a fox\"}";

    @Test
    void onH2() throws Exception {
        countsOnlyQueuedRowsUpToTheBound(new H2Database());
    }

    @Test
    void onPostgres() throws Exception {
        countsOnlyQueuedRowsUpToTheBound(new PostgresDatabase());
    }

    private static void countsOnlyQueuedRowsUpToTheBound(TestDatabase db) throws Exception {
        GenerationStore store = AbstractGenerationStoreTest.newStore(db.jdbcUrl(), db.username());
        store.start();
        try {
            SubmissionLedger ledger = AbstractSubmissionLedgerTest.ledger(store, 10);
            assertThat(ledger.countQueued(5)).isZero();
            Submission keyed = ledger.enqueue("key-1", REQUEST, 1).submission();
            ledger.enqueue(null, REQUEST, 1);
            ledger.enqueue(null, REQUEST, 1);
            assertThat(ledger.countQueued(5)).isEqualTo(3);
            assertThat(ledger.countQueued(2)).isEqualTo(2);

            // taken for sending: no longer waiting
            assertThat(ledger.claimHead(null)).isNotNull();
            assertThat(ledger.countQueued(5)).isEqualTo(2);

            assertThat(ledger.findByIdempotencyKey("key-1")).map(Submission::queuedId).contains(keyed.queuedId());
            assertThat(ledger.findByIdempotencyKey("key-2")).isEmpty();
        } finally {
            store.stop();
            db.close();
        }
    }
}
