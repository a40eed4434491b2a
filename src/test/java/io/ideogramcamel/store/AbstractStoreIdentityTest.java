package io.ideogramcamel.store;

import static io.ideogramcamel.store.AbstractGenerationStoreTest.newStore;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store's memory of the Ideogram API URL, on each real database: recorded once, compared by
 * every later run, and replaced only when the change is allowed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractStoreIdentityTest {

    private static final String STAND_IN = "http://127.0.0.1:8090";
    private static final String REAL = "https://api.ideogram.ai";

    private TestDatabase db;
    private GenerationStore store;

    protected abstract TestDatabase createDatabase() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        db = createDatabase();
        store = newStore(db.jdbcUrl(), db.username());
        // the first use applies the migrations; on a loaded machine that outlasts the other tests' 500 ms
        store.setConnectionTimeoutMillis(3000);
        store.start();
        // the identity is read from a store that works: a first migration on a loaded machine may not
        // be done by the time the start's own probe gives up
        AbstractGenerationStoreTest.await(Duration.ofSeconds(30), store::isAvailable);
    }

    @AfterEach
    void tearDown() throws Exception {
        store.stop();
        db.close();
    }

    private StoreIdentity identity() {
        StoreIdentity identity = new StoreIdentity();
        identity.setStore(store);
        return identity;
    }

    /** A guard as one run of the bundle builds it, on this test's store. */
    private ApiUrlGuard guard(String apiUrl, boolean allowChange) {
        ApiUrlGuard guard = new ApiUrlGuard();
        guard.setIdentity(identity());
        guard.setApiUrl(apiUrl);
        guard.setAllowChange(allowChange);
        return guard;
    }

    @Test
    void theFirstUrlIsRecordedOnceAndKept() {
        StoreIdentity identity = identity();
        assertThat(identity.apiUrl()).isEmpty();

        assertThat(identity.recordIfAbsent("http://127.0.0.1:8090")).isEqualTo("http://127.0.0.1:8090");
        assertThat(identity.recordIfAbsent("https://api.ideogram.ai:443")).isEqualTo("http://127.0.0.1:8090");
        assertThat(identity().apiUrl()).contains("http://127.0.0.1:8090");

        identity.replace("https://api.ideogram.ai:443");
        assertThat(identity().apiUrl()).contains("https://api.ideogram.ai:443");
    }

    @Test
    void aFreshStoreRecordsTheConfiguredUrlAndAllowsCalls() {
        ApiUrlGuard guard = guard(STAND_IN, false);

        assertThat(guard.mayCall("test")).isTrue();
        assertThat(identity().apiUrl()).contains("http://127.0.0.1:8090");
    }

    @Test
    void anotherSpellingOfTheSameUrlIsTheSameApi() {
        assertThat(guard("https://api.ideogram.ai", false).mayCall("test")).isTrue();

        ApiUrlGuard again = guard("HTTPS://user:secret@API.ideogram.ai:443/?x=1", false);
        assertThat(again.decide()).isEqualTo(ApiUrlGuard.Decision.ALLOWED);
        assertThat(identity().apiUrl()).contains("https://api.ideogram.ai:443");
    }

    @Test
    void anotherUrlIsRefusedAndTheStoreKeepsItsOwn() {
        assertThat(guard(STAND_IN, false).mayCall("test")).isTrue();

        ApiUrlGuard real = guard(REAL, false);
        assertThat(real.mayCall("test")).isFalse();
        assertThat(real.mayCall("test")).isFalse();
        assertThat(real.decide()).isEqualTo(ApiUrlGuard.Decision.REFUSED);
        assertThat(real.rememberedApiUrl()).isEqualTo("http://127.0.0.1:8090");
        assertThat(real.refusals("test")).isEqualTo(2);
        assertThat(identity().apiUrl()).contains("http://127.0.0.1:8090");
    }

    @Test
    void anAllowedChangeRecordsTheNewUrl() {
        assertThat(guard(STAND_IN, false).mayCall("test")).isTrue();

        assertThat(guard(REAL, true).mayCall("test")).isTrue();
        assertThat(identity().apiUrl()).contains("https://api.ideogram.ai:443");
        // the next run, without the setting, is at home at the new URL and refused at the old
        assertThat(guard(REAL, false).mayCall("test")).isTrue();
        assertThat(guard(STAND_IN, false).mayCall("test")).isFalse();
    }

    @Test
    void aStoreThatCannotBeReadDecidesNothingAndSendsNothing() {
        ApiUrlGuard guard = guard(STAND_IN, false);
        store.stop();

        assertThat(guard.mayCall("test")).isFalse();
        assertThat(guard.decide()).isEqualTo(ApiUrlGuard.Decision.UNDECIDED);

        store.start();
        assertThat(guard.mayCall("test")).isTrue();
    }
}
