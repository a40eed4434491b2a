package io.ideogramcamel.archive;

import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** The variant ledger on the real PostgreSQL. */
class PostgresVariantLedgerTest extends AbstractVariantLedgerTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new PostgresDatabase();
    }
}
