package io.ideogramcamel.archive;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** The variant ledger on an embedded H2 file: competing workers are threads of one process. */
class H2VariantLedgerTest extends AbstractVariantLedgerTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new H2Database();
    }
}
