package io.ideogramcamel.archive;

import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** Retrying a failed generation on the real PostgreSQL, where concurrent retries race on row locks. */
class PostgresGenerationRetryTest extends AbstractGenerationRetryTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new PostgresDatabase();
    }
}
