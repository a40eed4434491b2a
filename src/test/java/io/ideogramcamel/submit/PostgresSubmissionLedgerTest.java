package io.ideogramcamel.submit;

import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** The submission and poll ledgers on the real PostgreSQL, a second pool standing in for a second instance. */
class PostgresSubmissionLedgerTest extends AbstractSubmissionLedgerTest {

    private GenerationStore other;

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new PostgresDatabase();
    }

    @Override
    protected GenerationStore anotherInstance() {
        if (other == null) {
            other = startStore();
        }
        return other;
    }
}
