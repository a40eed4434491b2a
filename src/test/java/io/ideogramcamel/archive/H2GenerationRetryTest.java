package io.ideogramcamel.archive;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** Retrying a failed generation on an embedded H2 file. */
class H2GenerationRetryTest extends AbstractGenerationRetryTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new H2Database();
    }
}
