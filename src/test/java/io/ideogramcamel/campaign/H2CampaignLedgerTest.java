package io.ideogramcamel.campaign;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** Campaigns on an embedded H2 file: competing instances are threads sharing one pool. */
class H2CampaignLedgerTest extends AbstractCampaignLedgerTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new H2Database();
    }

    @Override
    protected boolean separatePools() {
        return false;
    }
}
