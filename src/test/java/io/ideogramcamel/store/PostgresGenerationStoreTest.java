package io.ideogramcamel.store;

import io.ideogramcamel.testing.TcpForwarder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The contract on the real PostgreSQL, plus what a network database adds: several instances on one
 * table, and the database going away and coming back (a TCP forwarder we close and reopen).
 */
class PostgresGenerationStoreTest extends AbstractGenerationStoreTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new PostgresDatabase();
    }

    private PostgresDatabase pg() {
        return (PostgresDatabase) db;
    }

    @Test
    void twoInstancesAcceptingOneIdRecordItOnce() throws Exception {
        GenerationStore a = startStore();
        GenerationStore b = startStore();
        a.find("schema"); // both would create it; let one do so before the race

        List<Boolean> outcomes = concurrently(20,
                i -> (i % 2 == 0 ? a : b).acceptReceived("gen-two", "webhook", "c", IMAGES));

        assertThat(outcomes.stream().filter(x -> x)).hasSize(1);
        assertThat(db.countRows("generation_id = 'gen-two'")).isEqualTo(1);
    }

    @Test
    void instancesStartedTogetherOnAnEmptySchemaAllCreateItWithoutFailing() throws Exception {
        // each start creates the schema; without a lock PostgreSQL's CREATE ... IF NOT EXISTS fails
        // for all but one when they race, and those stores answer unavailable until a later try
        List<GenerationStore> stores = concurrently(6, i -> startStore());

        // every start created (or found) the schema: none gave up on it and logged the store as down
        assertThat(stores).allMatch(GenerationStore::schemaReady);
        List<Boolean> outcomes = concurrently(6,
                i -> stores.get(i).acceptReceived("gen-start-" + i, "webhook", null, IMAGES));

        assertThat(outcomes).containsOnly(true);
        assertThat(db.countRows("generation_id LIKE 'gen-start-%'")).isEqualTo(6);
    }

    @Test
    void aStoreStartedWhileTheDatabaseIsDownComesUpWithIt() throws Exception {
        try (TcpForwarder forwarder = TcpForwarder.closed(5432)) {
            GenerationStore[] store = new GenerationStore[1];
            assertThat(millisToRun(() -> store[0] = startStore(pg().jdbcUrlThroughPort(forwarder.port()))))
                    .isLessThan(5_000);

            assertThat(store[0].isAvailable()).isFalse();
            assertDownQuickly(store[0], forwarder.port());

            forwarder.open();
            await(Duration.ofSeconds(20), store[0]::isAvailable);
            assertThat(store[0].acceptReceived("gen-late-db", "webhook", null, IMAGES)).isTrue();
            assertThat(db.countRows("generation_id = 'gen-late-db'")).isEqualTo(1);
        }
    }

    @Test
    void theStoreRecoversWhenTheDatabaseComesBackWithoutARestart() throws Exception {
        try (TcpForwarder forwarder = new TcpForwarder(5432)) {
            GenerationStore store = startStore(pg().jdbcUrlThroughPort(forwarder.port()));
            assertThat(store.acceptReceived("gen-before", "webhook", null, IMAGES)).isTrue();

            forwarder.close();
            assertDownQuickly(store, forwarder.port());
            assertThat(store.isAvailable()).isFalse();
            assertThat(db.countRows("generation_id = 'gen-down'")).isZero();

            forwarder.open();
            await(Duration.ofSeconds(20), store::isAvailable);
            assertThat(store.acceptReceived("gen-down", "webhook", null, IMAGES)).isTrue();
            assertThat(store.acceptReceived("gen-before", "webhook", null, IMAGES)).isFalse();
            assertThat(store.find("gen-down")).isPresent();
        }
    }

    /** Every accept during the outage fails fast, with a message that names no host, port, SQL or user. */
    private static void assertDownQuickly(GenerationStore store, int port) {
        long took = millisToRun(() -> assertThatThrownBy(() -> store.acceptReceived("gen-down", "webhook", null, IMAGES))
                .isInstanceOf(StoreUnavailableException.class)
                .hasNoCause()
                .satisfies(e -> assertThat(e.getMessage().toLowerCase())
                        .doesNotContain("127.0.0.1", String.valueOf(port), "jdbc", "postgres", "insert", "select")));
        // connection timeout 500 ms in these tests; the accept timeout (3 s) is the hard bound
        assertThat(took).isLessThan(3_500);
    }
}
