package io.ideogramcamel.store;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for accepts: callers enqueue a row and wait for their own outcome; one writer thread
 * takes whatever is waiting (up to {@code maxBatchSize} rows), writes it as one JDBC batch in one
 * transaction, commits, and only then releases each caller with its own outcome.
 *
 * <p>Why: a commit costs a disk write (H2 with {@code WRITE_DELAY=0}, PostgreSQL with fsync), so one
 * commit per request caps accepts at a few thousand per second, while a batch of 16 rows per
 * commit goes several times further. Under light load a batch is one row and the latency is one
 * commit; under heavy load the batch grows by itself. No caller ever returns before its row is
 * committed.
 *
 * <p>A failed batch is rolled back and every caller in it gets a {@link StoreUnavailableException};
 * the writer goes on with the next batch, so the store recovers when the database does.
 */
final class GroupCommitWriter {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    /**
     * A webhook that arrives for a generation submitted from here finds its SUBMITTED row; the
     * delivery is then the result of that submission, so the row moves to RECEIVED (guarded by the
     * state, like every transition). Any other existing row is a duplicate and stays as it is. The
     * poller's lease on the SUBMITTED row is dropped so the archiver can claim it at once. A row the
     * poller failed only for want of news (expired, or unknown at Ideogram) takes a late result too:
     * the generation was billed, and its images are still there for 24 hours. So does a failure an
     * unsigned callback reported ({@link OverridableFailures}): nothing confirmed it,
     * and a result confirmed with the provider's API outranks it.
     */
    private static final String TO_RECEIVED = "UPDATE generation SET state = 'RECEIVED', "
            + "source = ?, created = COALESCE(?, created), images = ?, received_at = ?, "
            + "usage_cost_usd_micros = COALESCE(CAST(? AS BIGINT), usage_cost_usd_micros), "
            // due at once by the database's clock, even when this instance's clock runs ahead
            + "next_attempt_at = " + StoreSql.DUE_NOW_AT_THE_LATEST + ", "
            + "updated_at = ?, attempts = 0, error = NULL, lease_owner = NULL, lease_until = NULL "
            + "WHERE generation_id = ? AND ";
    private static final String SUBMITTED_TO_RECEIVED = TO_RECEIVED + "state = 'SUBMITTED'";
    private static final String LATE_RESULT_TO_RECEIVED = TO_RECEIVED + "state = 'FAILED' AND error IN ("
            + OverridableFailures.sqlList() + ")";

    /** Supplies a pooled connection on which the schema is known to exist. */
    @FunctionalInterface
    interface ConnectionSource {
        Connection open() throws SQLException;
    }

    /**
     * The row an accept records; times are epoch milliseconds taken when the caller arrived.
     * {@code costMicros} is Ideogram's usage_cost_usd_micros, null when unknown.
     */
    record ReceivedRow(String generationId, String source, String created, String imagesJson, long receivedAt,
            Long costMicros) {

        ReceivedRow(String generationId, String source, String created, String imagesJson, long receivedAt) {
            this(generationId, source, created, imagesJson, receivedAt, null);
        }
    }

    private record Pending(ReceivedRow row, CompletableFuture<Boolean> outcome) {
    }

    private final ConnectionSource connections;
    private final SqlDialect dialect;
    private final int maxBatchSize;
    private final long acceptTimeoutMillis;
    /** 0 = none. */
    private final int queryTimeoutSeconds;
    /*
     * Bounded so a database that hangs cannot make the queue grow without limit; in practice the
     * queue holds at most one row per calling thread plus rows whose callers already gave up.
     */
    private final BlockingQueue<Pending> queue;
    private volatile boolean running;
    private boolean started;
    private Thread thread;

    /** Where a batch that could not be committed is reported (the store names its URL and reason). */
    interface FailureLog {
        void failed(int accepts, Throwable cause);
    }

    private volatile FailureLog failureLog = (accepts, e) -> LOG.warn(
            "Generation store could not commit {} accept(s): {}", accepts, StoreFailureText.reason(e));

    void setFailureLog(FailureLog failureLog) {
        this.failureLog = failureLog;
    }

    GroupCommitWriter(ConnectionSource connections, SqlDialect dialect, int maxBatchSize, long acceptTimeoutMillis) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1");
        }
        if (acceptTimeoutMillis < 1) {
            throw new IllegalArgumentException("acceptTimeoutMillis must be at least 1");
        }
        this.connections = connections;
        this.dialect = dialect;
        this.maxBatchSize = maxBatchSize;
        this.acceptTimeoutMillis = acceptTimeoutMillis;
        /*
         * Only on PostgreSQL, where pgjdbc cancels just that statement: there a lock wait or a stalled
         * server would otherwise hold the single writer. H2's query timeout is a session setting that
         * would stay on the pooled connection for every later user, and an embedded H2 has no network
         * to stall on (its own LOCK_TIMEOUT bounds lock waits).
         */
        this.queryTimeoutSeconds = dialect == SqlDialect.POSTGRESQL
                ? (int) Math.max(1, (acceptTimeoutMillis + 999) / 1000) : 0;
        this.queue = new ArrayBlockingQueue<>(Math.max(1024, maxBatchSize * 16));
    }

    /** Starts the writer thread; a writer runs once (a store makes a new one for each start). */
    synchronized void start() {
        if (running) {
            return;
        }
        if (started) {
            // The old thread may still be finishing a batch and would resume its loop.
            throw new IllegalStateException("a stopped GroupCommitWriter cannot be restarted");
        }
        started = true;
        running = true;
        thread = new Thread(this::run, "ideogram-store-writer");
        // A daemon thread never holds the JVM open; stop() still ends it in order.
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops taking rows, lets the batch in progress finish, and fails everyone still waiting. The
     * writer is not interrupted: an interrupt during H2 file I/O closes H2's file channel and with it
     * the database.
     */
    synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        Thread t = thread;
        thread = null;
        try {
            t.join(acceptTimeoutMillis + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("Generation store writer did not finish its batch within {} ms", acceptTimeoutMillis + 1000);
        }
        failQueued("generation store stopped");
    }

    /**
     * Records the row and waits until it is committed.
     *
     * @return true if this call inserted the row (or moved a SUBMITTED row to RECEIVED), false if the
     *         id was already accepted (the row is left as it is)
     * @throws StoreUnavailableException when the row could not be committed within the accept timeout
     */
    boolean accept(ReceivedRow row) {
        if (!running) {
            throw new StoreUnavailableException("generation store is not running");
        }
        Pending pending = new Pending(row, new CompletableFuture<>());
        if (!queue.offer(pending)) {
            throw new StoreUnavailableException("generation store is overloaded");
        }
        if (!running) {
            // stop() may have drained the queue just before our offer: nobody would answer us.
            pending.outcome().completeExceptionally(new StoreUnavailableException("generation store stopped"));
        }
        try {
            return pending.outcome().get(acceptTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            /*
             * Marking the future done makes the writer skip the row if it has not taken it yet. If the
             * writer completed it in the meantime, its outcome stands. A row already in a batch may
             * still commit after we answered 503: Ideogram's retry is then a plain duplicate.
             */
            if (pending.outcome().completeExceptionally(
                    new StoreUnavailableException("generation store did not commit in time"))) {
                throw new StoreUnavailableException("generation store did not commit in time");
            }
            return outcomeOf(pending);
        } catch (ExecutionException e) {
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.outcome().completeExceptionally(new StoreUnavailableException("interrupted"));
            throw new StoreUnavailableException("interrupted while waiting for the generation store");
        }
    }

    /** Rows queued and not yet taken by the writer. */
    int waiting() {
        return queue.size();
    }

    private static boolean outcomeOf(Pending pending) {
        try {
            return pending.outcome().get();
        } catch (ExecutionException e) {
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for the generation store");
        }
    }

    private static StoreUnavailableException unavailable(ExecutionException e) {
        // A fresh exception per caller: one instance shared by several threads would collect their
        // suppressed exceptions and stack traces in one place.
        String message = e.getCause() instanceof StoreUnavailableException s ? s.getMessage()
                : "generation store unavailable";
        return new StoreUnavailableException(message);
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatchSize);
        while (running) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatchSize - 1);
                // Callers that timed out already answered 503; writing their rows would only be waste.
                batch.removeIf(p -> p.outcome().isDone());
                if (!batch.isEmpty()) {
                    write(batch);
                }
            } catch (InterruptedException e) {
                // Only stop() ends this loop; an interrupt from elsewhere must not strand the callers.
                Thread.interrupted();
            } catch (Throwable t) {
                LOG.error("Generation store writer failed a batch unexpectedly", t);
                fail(batch, "generation store unavailable");
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        boolean[] outcomes;
        try {
            outcomes = writeInOneTransaction(batch);
        } catch (SQLException e) {
            if (batch.size() > 1 && isAboutTheData(e)) {
                // One row the database refuses (or an insert race with another writer) must not fail
                // its batch-mates: redo each row in its own transaction.
                LOG.debug("Batch of {} refused ({}), writing its rows one by one", batch.size(), e.getSQLState());
                for (Pending p : batch) {
                    write(List.of(p));
                }
                return;
            }
            failureLog.failed(batch.size(), e);
            fail(batch, "generation store unavailable");
            return;
        } catch (RuntimeException | AssertionError e) {
            // pgjdbc 42.7 throws an AssertionError from executeBatch when the connection dies mid-batch.
            failureLog.failed(batch.size(), e);
            fail(batch, "generation store unavailable");
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).outcome().complete(outcomes[i]);
        }
    }

    /**
     * Writes the batch and commits. The futures are completed only after this returns, so the
     * connection is closed (returned to the pool) before anyone is released, and a failure to close
     * cannot turn a committed batch into failures.
     */
    private boolean[] writeInOneTransaction(List<Pending> batch) throws SQLException {
        Connection c = connections.open();
        try {
            c.setAutoCommit(false);
            boolean[] outcomes;
            try {
                outcomes = insertOrPromote(c, batch);
                c.commit();
            } catch (Throwable e) {
                rollbackQuietly(c);
                throw e;
            }
            return outcomes;
        } finally {
            closeQuietly(c);
        }
    }

    private boolean[] insertOrPromote(Connection c, List<Pending> batch) throws SQLException {
        boolean[] outcomes = new boolean[batch.size()];
        List<Integer> existing = new ArrayList<>();
        try (PreparedStatement insert = c.prepareStatement(dialect.insertReceivedIfAbsent())) {
            if (queryTimeoutSeconds > 0) {
                insert.setQueryTimeout(queryTimeoutSeconds);
            }
            for (Pending p : batch) {
                ReceivedRow r = p.row();
                insert.setString(1, r.generationId());
                insert.setString(2, r.source());
                JdbcParameters.setNullableString(insert, 3, r.created());
                JdbcParameters.setNullableString(insert, 4, r.imagesJson());
                insert.setLong(5, r.receivedAt());
                // Due at once: the archive timer re-drives RECEIVED rows whose due time has passed.
                insert.setLong(6, r.receivedAt());
                insert.setLong(7, r.receivedAt());
                JdbcParameters.setNullableLong(insert, 8, r.costMicros());
                if (dialect.idRepeatedLast()) {
                    insert.setString(9, r.generationId());
                }
                insert.addBatch();
            }
            int[] counts = insert.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                requireKnownCount(counts[i]);
                if (counts[i] > 0) {
                    outcomes[i] = true;
                } else {
                    existing.add(i);
                }
            }
        }
        if (!existing.isEmpty()) {
            promoteSubmitted(c, batch, existing, outcomes);
        }
        return outcomes;
    }

    /*
     * Statements of one batch run in order in one transaction, so when the same id appears twice in a
     * batch the first insert wins, the second sees that row, and (if the row was SUBMITTED) only the
     * first update matches the guard.
     */
    private void promoteSubmitted(Connection c, List<Pending> batch, List<Integer> existing, boolean[] outcomes)
            throws SQLException {
        List<Integer> notPromoted = promote(c, SUBMITTED_TO_RECEIVED, batch, existing, outcomes);
        if (!notPromoted.isEmpty()) {
            promote(c, LATE_RESULT_TO_RECEIVED, batch, notPromoted, outcomes);
        }
    }

    /** Runs one guarded UPDATE per row as a batch; returns the rows it did not change. */
    private List<Integer> promote(Connection c, String sql, List<Pending> batch, List<Integer> rows,
            boolean[] outcomes) throws SQLException {
        List<Integer> unchanged = new ArrayList<>();
        try (PreparedStatement update = c.prepareStatement(sql)) {
            if (queryTimeoutSeconds > 0) {
                update.setQueryTimeout(queryTimeoutSeconds);
            }
            for (int i : rows) {
                ReceivedRow r = batch.get(i).row();
                update.setString(1, r.source());
                JdbcParameters.setNullableString(update, 2, r.created());
                JdbcParameters.setNullableString(update, 3, r.imagesJson());
                update.setLong(4, r.receivedAt());
                JdbcParameters.setNullableLong(update, 5, r.costMicros());
                update.setLong(6, r.receivedAt());
                update.setLong(7, r.receivedAt());
                update.setString(8, r.generationId());
                update.addBatch();
            }
            int[] counts = update.executeBatch();
            for (int k = 0; k < counts.length; k++) {
                requireKnownCount(counts[k]);
                outcomes[rows.get(k)] = counts[k] > 0;
                if (counts[k] == 0) {
                    unchanged.add(rows.get(k));
                }
            }
        }
        return unchanged;
    }

    /*
     * The outcome of each accept is read from its update count. A driver that batches rows into one
     * statement (pgjdbc's reWriteBatchedInserts) answers SUCCESS_NO_INFO, and guessing would either
     * lose a delivery or double it, so such a batch fails loudly instead.
     */
    private static void requireKnownCount(int count) throws SQLException {
        if (count < 0) {
            throw new SQLException("driver returned no per-row update count (" + count
                    + "); do not enable reWriteBatchedInserts on store.jdbc-url", "HY000");
        }
    }

    /**
     * Class 22 (data exception) and 23 (integrity constraint) concern particular rows; anything else
     * (connection loss, timeouts, a missing pool connection) concerns the whole database.
     */
    private static boolean isAboutTheData(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return false;
        }
        SQLException cause = e instanceof BatchUpdateException b && b.getNextException() != null
                ? b.getNextException() : e;
        String state = cause.getSQLState() != null ? cause.getSQLState() : e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private void failQueued(String message) {
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        fail(left, message);
    }

    private static void fail(List<Pending> pendings, String message) {
        for (Pending p : pendings) {
            p.outcome().completeExceptionally(new StoreUnavailableException(message));
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Rollback failed: {}", e.toString());
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Closing a store connection failed: {}", e.toString());
        }
    }
}
