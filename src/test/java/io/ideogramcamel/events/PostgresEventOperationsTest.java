package io.ideogramcamel.events;

import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** The operators' event reads and replays on the real PostgreSQL. */
class PostgresEventOperationsTest extends AbstractEventOperationsTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new PostgresDatabase();
    }
}
