package io.ideogramcamel.store;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** The remembered Ideogram API URL on an embedded H2 file. */
class H2StoreIdentityTest extends AbstractStoreIdentityTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new H2Database();
    }
}
