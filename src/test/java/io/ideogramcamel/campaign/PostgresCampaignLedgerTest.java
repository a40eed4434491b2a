package io.ideogramcamel.campaign;

import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;

/** Campaigns on the real PostgreSQL, a second pool standing in for a second instance. */
class PostgresCampaignLedgerTest extends AbstractCampaignLedgerTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new PostgresDatabase();
    }

    @Override
    protected boolean separatePools() {
        return true;
    }
}
