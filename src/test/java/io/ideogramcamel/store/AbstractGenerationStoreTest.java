package io.ideogramcamel.store;

import io.ideogramcamel.testing.TcpForwarder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ideogramcamel.testing.PostgresSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store's contract, run once against each database by the subclasses. Everything is real: an H2
 * file in a temporary directory, or a fresh schema in the PostgreSQL at 127.0.0.1:5432. The nested
 * helpers are shared with the other test classes of this package.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class AbstractGenerationStoreTest {

    public static final String IMAGES = "[{\"url\":\"https://ideogram.ai/api/images/ephemeral/a.png?exp=1&sig=x\","
            + "\"prompt\":\"a lighthouse\",\"resolution\":\"1024x1024\",\"seed\":12345,\"is_image_safe\":true}]";

    protected TestDatabase db;
    private final List<GenerationStore> stores = Collections.synchronizedList(new ArrayList<>());

    protected abstract TestDatabase createDatabase() throws Exception;

    @BeforeEach
    void createDb() throws Exception {
        db = createDatabase();
    }

    @AfterEach
    void dropDb() throws Exception {
        stores.forEach(GenerationStore::stop);
        db.close();
    }

    /** A started store on this test's database, stopped after the test. */
    protected GenerationStore startStore() {
        return startStore(db.jdbcUrl());
    }

    protected GenerationStore startStore(String jdbcUrl) {
        GenerationStore store = newStore(jdbcUrl, db.username());
        stores.add(store);
        store.start();
        return store;
    }

    public static GenerationStore newStore(String jdbcUrl, String username) {
        GenerationStore store = new GenerationStore();
        store.setJdbcUrl(jdbcUrl);
        store.setUsername(username);
        store.setConnectionTimeoutMillis(500);
        store.setAcceptTimeoutMillis(3000);
        return store;
    }

    @Test
    void acceptRecordsEveryField() throws Exception {
        GenerationStore store = startStore();
        long before = System.currentTimeMillis();

        assertThat(store.acceptReceived("gen-1", "webhook", "2025-06-01T10:00:00.123456+00:00", IMAGES)).isTrue();

        GenerationRecord r = store.find("gen-1").orElseThrow();
        long after = System.currentTimeMillis();
        assertThat(r.generationId()).isEqualTo("gen-1");
        assertThat(r.state()).isEqualTo(GenerationState.RECEIVED);
        assertThat(r.source()).isEqualTo("webhook");
        assertThat(r.created()).isEqualTo("2025-06-01T10:00:00.123456+00:00");
        assertThat(r.images()).isEqualTo(IMAGES);
        assertThat(r.error()).isNull();
        assertThat(r.attempts()).isZero();
        assertThat(r.leaseOwner()).isNull();
        assertThat(r.leaseUntil()).isNull();
        assertThat(r.submittedAt()).isNull();
        assertThat(r.receivedAt()).isBetween(before, after);
        assertThat(r.nextAttemptAt()).isEqualTo(r.receivedAt());
        assertThat(r.updatedAt()).isEqualTo(r.receivedAt());
        assertThat(store.find("unknown")).isEmpty();
    }

    @Test
    void acceptKeepsNullCreatedAndALargeImageList() {
        GenerationStore store = startStore();
        // Close to the 1 MiB body limit, so the images column must hold it on both databases.
        String large = "[{\"prompt\":\"" + "p".repeat(1_000_000) + "\"}]";

        assertThat(store.acceptReceived("gen-large", "poll", null, large)).isTrue();

        GenerationRecord r = store.find("gen-large").orElseThrow();
        assertThat(r.created()).isNull();
        assertThat(r.source()).isEqualTo("poll");
        assertThat(r.images()).isEqualTo(large);
    }

    @Test
    void secondAcceptIsADuplicateAndChangesNothing() throws Exception {
        GenerationStore store = startStore();
        assertThat(store.acceptReceived("gen-dup", "webhook", "c1", IMAGES)).isTrue();
        GenerationRecord first = store.find("gen-dup").orElseThrow();
        Thread.sleep(5);

        assertThat(store.acceptReceived("gen-dup", "poll", "c2", "[]")).isFalse();

        assertThat(store.find("gen-dup")).contains(first);
    }

    @Test
    void aDuplicateOfAnArchivedGenerationLeavesItArchived() throws Exception {
        GenerationStore store = startStore();
        assertThat(store.acceptReceived("gen-done", "webhook", "c1", IMAGES)).isTrue();
        db.execute("UPDATE generation SET state = 'ARCHIVED' WHERE generation_id = 'gen-done'");

        assertThat(store.acceptReceived("gen-done", "webhook", "c1", IMAGES)).isFalse();

        assertThat(store.find("gen-done").orElseThrow().state()).isEqualTo(GenerationState.ARCHIVED);
    }

    @Test
    void theDeliveryOfASubmittedGenerationMovesItToReceived() throws Exception {
        GenerationStore store = startStore();
        store.find("nothing-yet"); // creates the schema
        db.execute("INSERT INTO generation (generation_id, state, attempts, lease_owner, lease_until, "
                + "next_attempt_at, submitted_at, updated_at) VALUES ('gen-sub', 'SUBMITTED', 2, 'poller-1', 99, 50, 10, 10)");

        assertThat(store.acceptReceived("gen-sub", "webhook", "c1", IMAGES)).isTrue();
        assertThat(store.acceptReceived("gen-sub", "poll", "c2", "[]")).isFalse();

        GenerationRecord r = store.find("gen-sub").orElseThrow();
        assertThat(r.state()).isEqualTo(GenerationState.RECEIVED);
        assertThat(r.source()).isEqualTo("webhook");
        assertThat(r.created()).isEqualTo("c1");
        assertThat(r.images()).isEqualTo(IMAGES);
        assertThat(r.submittedAt()).isEqualTo(10L);
        assertThat(r.attempts()).isZero();
        assertThat(r.leaseOwner()).isNull();
        assertThat(r.leaseUntil()).isNull();
        assertThat(r.receivedAt()).isGreaterThan(10L);
    }

    @Test
    void theCostIsStoredWithANewRowAndWithASubmittedOneAndAbsentWhenUnknown() throws Exception {
        GenerationStore store = startStore();
        store.find("nothing-yet"); // creates the schema
        db.execute("INSERT INTO generation (generation_id, state, submitted_at, updated_at) "
                + "VALUES ('gen-sub-cost', 'SUBMITTED', 10, 10)");

        assertThat(store.acceptReceived("gen-cost", "poll", "c", IMAGES, 80_000L)).isTrue();
        assertThat(store.acceptReceived("gen-no-cost", "webhook", "c", IMAGES)).isTrue();
        assertThat(store.acceptReceived("gen-sub-cost", "poll", "c", IMAGES, 1_000_000_000_000L)).isTrue();
        // a duplicate changes nothing, its cost included
        assertThat(store.acceptReceived("gen-cost", "webhook", "c", IMAGES, 5L)).isFalse();

        assertThat(store.find("gen-cost").orElseThrow().costMicros()).isEqualTo(80_000L);
        assertThat(store.find("gen-no-cost").orElseThrow().costMicros()).isNull();
        assertThat(store.find("gen-sub-cost").orElseThrow().costMicros()).isEqualTo(1_000_000_000_000L);
        assertThatThrownBy(() -> store.acceptReceived("gen-neg", "poll", null, IMAGES, -1L))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.acceptReceived("gen-huge", "poll", null, IMAGES, 1_000_000_000_001L))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void twentyConcurrentAcceptsOfOneIdRecordItOnce() throws Exception {
        GenerationStore store = startStore();

        List<Boolean> outcomes = concurrently(20, i -> store.acceptReceived("gen-race", "webhook", "c", IMAGES));

        assertThat(outcomes).hasSize(20);
        assertThat(outcomes.stream().filter(b -> b)).hasSize(1);
        assertThat(db.countRows("generation_id = 'gen-race'")).isEqualTo(1);
    }

    @Test
    void concurrentAcceptsAreAllCommittedAndSurviveARestart() throws Exception {
        GenerationStore store = startStore();
        int threads = 16;
        int perThread = 250;
        Set<String> ids = ConcurrentHashMap.newKeySet();

        List<Boolean> outcomes = concurrently(threads, t -> {
            boolean all = true;
            for (int i = 0; i < perThread; i++) {
                String id = "gen-" + t + "-" + i;
                all &= store.acceptReceived(id, "webhook", "c", IMAGES);
                ids.add(id);
            }
            return all;
        });
        store.stop();

        assertThat(outcomes).containsOnly(true);
        assertThat(ids).hasSize(threads * perThread);
        assertThat(db.countRows("state = 'RECEIVED'")).isEqualTo(threads * perThread);
        GenerationStore restarted = startStore();
        for (String id : ids) {
            assertThat(restarted.find(id)).as(id).hasValueSatisfying(r -> assertThat(r.images()).isEqualTo(IMAGES));
        }
        assertThat(restarted.acceptReceived("gen-0-0", "webhook", "c", IMAGES)).isFalse();
    }

    @Test
    void acceptsCommitWhileEveryReadConnectionIsTaken() throws Exception {
        GenerationStore store = newStore(db.jdbcUrl(), db.username());
        store.setPoolSize(2);
        stores.add(store);
        store.start();
        // an API flood or a stuck report holding every connection of the shared pool
        try (Connection a = store.connection(); Connection b = store.connection()) {
            assertThatThrownBy(store::connection).isInstanceOf(SQLException.class);

            assertThat(store.acceptReceived("gen-while-busy", "webhook", null, IMAGES)).isTrue();
        }
        assertThat(db.countRows("generation_id = 'gen-while-busy'")).isEqualTo(1);
    }

    @Test
    void aStateIsListedNewestFirstOnePageAfterAnotherWithoutGapsOrRepeats() throws Exception {
        GenerationStore store = startStore();
        // two pairs share a change time: the id breaks the tie, so no row falls between two pages
        long[] times = {100, 200, 200, 300, 300, 400};
        for (int i = 0; i < times.length; i++) {
            db.execute("INSERT INTO generation (generation_id, state, images, updated_at) VALUES ('gen-" + i
                    + "', 'ARCHIVED', '" + "x".repeat(10_000) + "', " + times[i] + ")");
        }
        db.execute("INSERT INTO generation (generation_id, state, updated_at) VALUES ('gen-failed', 'FAILED', 500)");

        List<String> seen = new ArrayList<>();
        ListPage page = ListPage.FIRST;
        for (int pages = 0; pages < 10; pages++) {
            List<ListedGeneration> rows = store.listByState(GenerationState.ARCHIVED, 4, page);
            rows.forEach(r -> seen.add(r.generationId()));
            if (rows.size() < 4) {
                break;
            }
            ListedGeneration last = rows.get(rows.size() - 1);
            page = new ListPage(last.updatedAt(), last.generationId());
        }

        assertThat(seen).containsExactly("gen-5", "gen-4", "gen-3", "gen-2", "gen-1", "gen-0");
    }

    @Test
    void invalidValuesAreRefusedBeforeTheyReachABatch() {
        GenerationStore store = startStore();

        assertThatThrownBy(() -> store.acceptReceived("x".repeat(257), "webhook", null, IMAGES))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.acceptReceived("", "webhook", null, IMAGES))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.acceptReceived("ok", "Webhook", null, IMAGES))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.acceptReceived("ok", "webhook", "c".repeat(257), IMAGES))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.acceptReceived("ok", "webhook", null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.acceptReceived("x".repeat(256), "webhook", "c".repeat(256), IMAGES)).isTrue();
    }

    @Test
    void acceptsAfterStopFailAsUnavailable() {
        GenerationStore store = startStore();
        store.stop();

        assertThatThrownBy(() -> store.acceptReceived("gen-late", "webhook", null, IMAGES))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(store.isAvailable()).isFalse();
    }

    @Test
    void startIsIdempotentAndTheSchemaIsCreatedOnce() {
        GenerationStore store = startStore();
        store.start();
        assertThat(store.isAvailable()).isTrue();
        store.stop();
        store.start();
        assertThat(store.acceptReceived("gen-again", "webhook", null, IMAGES)).isTrue();
    }

    // ---------------------------------------------------------------- helpers shared in this package

    public interface IndexedCall<T> {
        T call(int index) throws Exception;
    }

    /** Runs n calls at once (released together by a latch) and returns their results in order. */
    public static <T> List<T> concurrently(int n, IndexedCall<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<T> task = () -> {
                    go.await();
                    return call.call(index);
                };
                futures.add(pool.submit(task));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    public static void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(50);
        }
    }

    public static long millisToRun(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** A database for one test, reached with plain JDBC connections of its own (not the store's pool). */
    public abstract static class TestDatabase implements AutoCloseable {

        public abstract String jdbcUrl();

        public abstract String username();

        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl(), username(), "");
        }

        /** Brings the schema up to date the way a store does, without starting one. */
        public void migrate() {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(jdbcUrl());
            config.setUsername(username());
            config.setMaximumPoolSize(3);
            try (HikariDataSource ds = new HikariDataSource(config)) {
                new StoreMigrations(ds, SqlDialect.fromJdbcUrl(jdbcUrl()), 5000).migrate();
            }
        }

        public void execute(String sql) throws SQLException {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }

        public int countRows(String where) throws SQLException {
            try (Connection c = connect();
                    PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM generation WHERE " + where);
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** An H2 file database in a fresh temporary directory. */
    public static final class H2Database extends TestDatabase {
        public final Path dir;

        public H2Database() throws IOException {
            dir = Files.createTempDirectory("store-h2-");
        }

        /** Without WRITE_DELAY on purpose: the store must add WRITE_DELAY=0 itself. */
        public String fileUrl() {
            return "jdbc:h2:file:" + dir.resolve("ideogram").toAbsolutePath();
        }

        @Override
        public String jdbcUrl() {
            return fileUrl() + ";WRITE_DELAY=0";
        }

        @Override
        public String username() {
            return "sa";
        }

        @Override
        public void close() throws IOException {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A schema of its own in the PostgreSQL at 127.0.0.1:5432 (database test, trust auth), dropped after. */
    public static final class PostgresDatabase extends TestDatabase {
        public final PostgresSchema schema;

        public PostgresDatabase() throws SQLException {
            schema = new PostgresSchema();
        }

        /** The same database reached through another port (a {@link TcpForwarder}). */
        public String jdbcUrlThroughPort(int port) {
            return schema.jdbcUrlThroughPort(port);
        }

        @Override
        public String jdbcUrl() {
            return schema.jdbcUrl();
        }

        @Override
        public String username() {
            return PostgresSchema.USER;
        }

        @Override
        public void close() throws SQLException {
            schema.close();
        }
    }

}
