package io.ideogramcamel.webhook;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

class H2ProviderLedgerTest extends AbstractProviderLedgerTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new H2Database();
    }
}
