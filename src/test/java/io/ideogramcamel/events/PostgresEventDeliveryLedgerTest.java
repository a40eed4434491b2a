package io.ideogramcamel.events;

import java.sql.SQLException;

import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.testing.PostgresSchema;

/**
 * The event delivery ledger on the real PostgreSQL, where a second store with its own pool stands in
 * for a second bundle instance racing for the same deliveries.
 */
class PostgresEventDeliveryLedgerTest extends AbstractEventDeliveryLedgerTest {

    private PostgresSchema schema;
    private GenerationStore other;

    @Override
    protected String jdbcUrl() {
        if (schema == null) {
            try {
                schema = new PostgresSchema();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return schema.jdbcUrl();
    }

    @Override
    protected String username() {
        return PostgresSchema.USER;
    }

    @Override
    protected void dropDatabase() throws Exception {
        schema.close();
        schema = null;
        other = null;
    }

    @Override
    protected GenerationStore anotherInstance() {
        if (other == null) {
            other = startStore();
        }
        return other;
    }
}
