package io.ideogramcamel.webhook;

import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

class PostgresProviderLedgerTest extends AbstractProviderLedgerTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new PostgresDatabase();
    }
}
