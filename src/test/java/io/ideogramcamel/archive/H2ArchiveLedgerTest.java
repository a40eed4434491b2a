package io.ideogramcamel.archive;

import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** The archive ledger on an embedded H2 file: competing workers are threads of one process. */
class H2ArchiveLedgerTest extends AbstractArchiveLedgerTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new H2Database();
    }

    @Override
    protected GenerationStore anotherInstance() {
        return store;
    }
}
