package io.ideogramcamel.store;

import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** The remembered Ideogram API URL on the real PostgreSQL. */
class PostgresStoreIdentityTest extends AbstractStoreIdentityTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new PostgresDatabase();
    }
}
