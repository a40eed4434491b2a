package io.ideogramcamel.events;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** The outbox on an embedded H2 file. */
class H2EventOutboxTest extends AbstractEventOutboxTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new H2Database();
    }
}
