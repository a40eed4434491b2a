package io.ideogramcamel.submit;

import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** The submission and poll ledgers on an embedded H2 file: competing workers are threads of one process. */
class H2SubmissionLedgerTest extends AbstractSubmissionLedgerTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new H2Database();
    }

    @Override
    protected GenerationStore anotherInstance() {
        return store;
    }
}
