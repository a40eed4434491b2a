package io.ideogramcamel.archive;

import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/**
 * The archive ledger on the real PostgreSQL, where a second store with its own pool stands in for a
 * second bundle instance racing for the same generations.
 */
class PostgresArchiveLedgerTest extends AbstractArchiveLedgerTest {

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
