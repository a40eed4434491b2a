package io.ideogramcamel.events;

import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** The outbox on the real PostgreSQL at 127.0.0.1:5432. */
class PostgresEventOutboxTest extends AbstractEventOutboxTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new PostgresDatabase();
    }
}
