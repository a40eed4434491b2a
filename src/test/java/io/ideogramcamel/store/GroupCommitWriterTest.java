package io.ideogramcamel.store;

import static io.ideogramcamel.store.AbstractGenerationStoreTest.IMAGES;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.GroupCommitWriter.ReceivedRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The group committer on a real H2 file. A gate in front of the connection holds the writer inside
 * its first batch so the rows that arrive meanwhile form the second batch, which makes batch
 * contents deterministic.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupCommitWriterTest {

    private H2Database db;
    private Connection keeper;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger transactions = new AtomicInteger();
    private GroupCommitWriter writer;

    @BeforeEach
    void createSchema() throws Exception {
        db = new H2Database();
        // Held open so the embedded database stays open between the writer's connections.
        keeper = db.connect();
        db.migrate();
    }

    @AfterEach
    void close() throws Exception {
        gate.countDown();
        if (writer != null) {
            writer.stop();
        }
        keeper.close();
        db.close();
    }

    private GroupCommitWriter startWriter(long acceptTimeoutMillis) {
        writer = new GroupCommitWriter(() -> {
            transactions.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return DriverManager.getConnection(db.jdbcUrl(), "sa", "");
        }, SqlDialect.H2, 64, acceptTimeoutMillis);
        writer.start();
        return writer;
    }

    private static CompletableFuture<Boolean> acceptAsync(GroupCommitWriter w, String id) {
        return CompletableFuture.supplyAsync(
                () -> w.accept(new ReceivedRow(id, "webhook", "c", IMAGES, System.currentTimeMillis())),
                command -> new Thread(command).start());
    }

    /** Holds the writer in a first batch and returns once the given rows wait behind it. */
    private List<CompletableFuture<Boolean>> queueBehindFirstBatch(GroupCommitWriter w, String... ids)
            throws InterruptedException {
        acceptAsync(w, "first-batch");
        await(Duration.ofSeconds(10), () -> transactions.get() == 1);
        List<CompletableFuture<Boolean>> outcomes = new ArrayList<>();
        for (String id : ids) {
            outcomes.add(acceptAsync(w, id));
        }
        await(Duration.ofSeconds(10), () -> w.waiting() == ids.length);
        return outcomes;
    }

    @Test
    void oneBatchHoldingAnIdTwiceInsertsItOnceAndPromotesASubmittedRowOnce() throws Exception {
        try (Statement s = keeper.createStatement()) {
            s.execute("INSERT INTO generation (generation_id, state, submitted_at, updated_at) VALUES ('sub', 'SUBMITTED', 1, 1)");
        }
        GroupCommitWriter w = startWriter(10_000);
        List<CompletableFuture<Boolean>> outcomes = queueBehindFirstBatch(w, "dup", "other", "dup", "sub", "sub");

        gate.countDown();

        // each caller runs on its own thread, so which of two callers with one id queued first is
        // not known: exactly one of them wins
        assertThat(List.of(outcomes.get(0).get(10, TimeUnit.SECONDS), outcomes.get(2).get(10, TimeUnit.SECONDS)))
                .containsExactlyInAnyOrder(true, false);
        assertThat(outcomes.get(1).get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(List.of(outcomes.get(3).get(10, TimeUnit.SECONDS), outcomes.get(4).get(10, TimeUnit.SECONDS)))
                .containsExactlyInAnyOrder(true, false);
        assertThat(transactions).as("the five rows shared one transaction").hasValue(2);
        assertThat(db.countRows("generation_id IN ('dup', 'other', 'sub') AND state = 'RECEIVED'")).isEqualTo(3);
    }

    @Test
    void aRowTheDatabaseRefusesFailsAloneNotItsBatchMates() throws Exception {
        GroupCommitWriter w = startWriter(10_000);
        // 300 characters do not fit generation_id (the store validates this; the writer must not rely on it)
        List<CompletableFuture<Boolean>> outcomes = queueBehindFirstBatch(w, "good-1", "x".repeat(300), "good-2");

        gate.countDown();

        assertThat(outcomes.get(0).get(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> outcomes.get(1).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StoreUnavailableException.class);
        assertThat(outcomes.get(2).get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(db.countRows("generation_id IN ('good-1', 'good-2')")).isEqualTo(2);
    }

    @Test
    void aCallerThatGaveUpBeforeItsBatchStartedIsNotWritten() throws Exception {
        GroupCommitWriter w = startWriter(500);
        CompletableFuture<Boolean> inFirstBatch = acceptAsync(w, "in-flight");
        await(Duration.ofSeconds(10), () -> transactions.get() == 1);
        CompletableFuture<Boolean> waiting = acceptAsync(w, "gave-up");
        await(Duration.ofSeconds(10), () -> w.waiting() == 1);

        assertThatThrownBy(() -> inFirstBatch.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StoreUnavailableException.class);
        gate.countDown();

        // The row already in a batch may still commit after its caller got 503: Ideogram's retry
        // is then a duplicate. The row whose caller gave up while it waited is dropped.
        await(Duration.ofSeconds(10), () -> {
            try {
                return db.countRows("generation_id = 'in-flight'") == 1;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(w.accept(new ReceivedRow("after", "webhook", null, IMAGES, 1))).isTrue();
        assertThat(db.countRows("generation_id = 'gave-up'")).isZero();
    }

    @Test
    void stopFailsTheCallersStillWaiting() throws Exception {
        GroupCommitWriter w = startWriter(1_000);
        List<CompletableFuture<Boolean>> outcomes = queueBehindFirstBatch(w, "queued");

        w.stop();

        assertThatThrownBy(() -> outcomes.get(0).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> w.accept(new ReceivedRow("late", "webhook", null, IMAGES, 1)))
                .isInstanceOf(StoreUnavailableException.class);

        // stop() gave up waiting for the batch held at the gate; let it end before the files go.
        gate.countDown();
        await(Duration.ofSeconds(10), () -> {
            try {
                return db.countRows("generation_id = 'first-batch'") == 1;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(db.countRows("generation_id = 'queued'")).isZero();
    }
}
