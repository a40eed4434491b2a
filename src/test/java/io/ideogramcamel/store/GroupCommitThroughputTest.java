package io.ideogramcamel.store;

import static io.ideogramcamel.store.AbstractGenerationStoreTest.IMAGES;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.concurrently;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Measures accepts per second from 16 threads (the webhook path's worker pool is 20), with group
 * commit (batches up to 64) and, for comparison, one commit per accept (batch size 1). It prints the
 * figures and asserts only that every accept was committed: timing depends on the machine.
 *
 * <p>Rows are the size of a 4-image delivery. {@code -Dstore.bench.rows=N} changes the count. The
 * load threads share the machine with the writer (and, for H2, the database): on 2 cores the H2
 * run is CPU-bound, so the figure is a floor for the store, not a property of the disk.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GroupCommitThroughputTest {

    private static final int THREADS = 16;
    private static final int ROWS = Integer.getInteger("store.bench.rows", 16_000);
    private static final String FOUR_IMAGES = "[" + String.join(",", IMAGES.substring(1, IMAGES.length() - 1),
            IMAGES.substring(1, IMAGES.length() - 1), IMAGES.substring(1, IMAGES.length() - 1),
            IMAGES.substring(1, IMAGES.length() - 1)) + "]";

    @Test
    void h2File() throws Exception {
        measure("H2 file, WRITE_DELAY=0", H2Database::new);
    }

    @Test
    void postgresql() throws Exception {
        measure("PostgreSQL", PostgresDatabase::new);
    }

    interface DatabaseFactory {
        TestDatabase create() throws Exception;
    }

    private static void measure(String name, DatabaseFactory factory) throws Exception {
        for (int batch : new int[] {64, 1}) {
            // the unbatched run is slow by design: a quarter of the rows tells the rate
            int rows = batch == 1 ? ROWS / 4 : ROWS;
            try (TestDatabase db = factory.create()) {
                GenerationStore store = new GenerationStore();
                store.setJdbcUrl(db.jdbcUrl());
                store.setUsername(db.username());
                store.setMaxBatchSize(batch);
                store.setAcceptTimeoutMillis(30_000);
                store.start();
                try {
                    int perThread = rows / THREADS;
                    // An untimed round first: before the JIT has compiled the path, rates are about half.
                    concurrently(THREADS, t -> {
                        for (int i = 0; i < perThread; i++) {
                            store.acceptReceived("warm-" + t + "-" + i, "webhook", null, FOUR_IMAGES);
                        }
                        return true;
                    });
                    long start = System.nanoTime();
                    List<Boolean> outcomes = concurrently(THREADS, t -> {
                        boolean all = true;
                        for (int i = 0; i < perThread; i++) {
                            all &= store.acceptReceived("bench-" + t + "-" + i, "webhook", "c", FOUR_IMAGES);
                        }
                        return all;
                    });
                    double seconds = (System.nanoTime() - start) / 1e9;
                    assertThat(outcomes).containsOnly(true);
                    assertThat(db.countRows("generation_id LIKE 'bench-%'")).isEqualTo(perThread * THREADS);
                    System.out.printf("THROUGHPUT %-24s maxBatchSize=%-3d %d threads: %,7d accepts in %5.2f s = %,8.0f rows/s%n",
                            name, batch, THREADS, perThread * THREADS, seconds, perThread * THREADS / seconds);
                } finally {
                    store.stop();
                }
            }
        }
    }
}
