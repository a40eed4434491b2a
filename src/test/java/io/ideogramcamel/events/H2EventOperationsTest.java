package io.ideogramcamel.events;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** The operators' event reads and replays on an embedded H2 file. */
class H2EventOperationsTest extends AbstractEventOperationsTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new H2Database();
    }
}
