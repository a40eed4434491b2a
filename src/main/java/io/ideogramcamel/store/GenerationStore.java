package io.ideogramcamel.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.logging.RateLimitedLog;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.OnCamelContextStarting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generation store over JDBC: an embedded H2 file by default, PostgreSQL when the URL says so,
 * behind a HikariCP pool. A plain bean: configure it with the setters, then {@link #start()}; call
 * {@link #stop()} at shutdown (in YAML {@code initMethod: start}, {@code destroyMethod: stop}).
 *
 * <p>{@link #start()} does not need the database: the pools start empty and the schema's pending
 * migrations ({@link StoreMigrations}) are applied before the first connection is handed out. Until
 * then accepts fail with {@link StoreUnavailableException} and {@link #isAvailable()} answers false
 * (readiness DOWN); both recover on their own once the database is reachable.
 *
 * <p>Two pools: the group-commit writer has a connection of its own, so a flood of API reads or
 * background claims can never leave a webhook's accept waiting for a connection. Every connection
 * of both carries a statement timeout, so no query runs unbounded.
 */
public class GenerationStore implements OnCamelContextStarting {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationStore.class);

    /** The embedded default: a file under data/ relative to the working directory. */
    public static final String DEFAULT_JDBC_URL = "jdbc:h2:file:./data/ideogram;WRITE_DELAY=0";

    private static final Set<String> SOURCES = Set.of("webhook", "poll");
    /** A failed migration (or a schema found behind) is tried again at most this often. */
    private static final long SCHEMA_RETRY_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_ID_LENGTH = 256;
    private static final int MAX_CREATED_LENGTH = 256;
    private static final Pattern WRITE_DELAY = Pattern.compile("(?i);\\s*WRITE_DELAY\\s*=\\s*(\\d+)");
    private static final String SELECT_ROWS = "SELECT generation_id, state, source, created, images, error, attempts, "
            + "lease_owner, lease_until, next_attempt_at, submitted_at, received_at, updated_at, queued_id, "
            + "usage_cost_usd_micros "
            + "FROM generation";
    private static final String SELECT_BY_ID = SELECT_ROWS + " WHERE generation_id = ?";
    /* Newest changes first, a page at a time, along the (state, updated_at, generation_id) index. */
    private static final String LIST_BY_STATE = "SELECT generation_id, queued_id, state, source, error, updated_at "
            + "FROM generation WHERE state = ? AND " + ListPage.afterAndOrder("generation_id");
    private static final int MAX_LIST = 500;

    private String jdbcUrl = DEFAULT_JDBC_URL;
    private String username;
    private String password;
    private int poolSize = 8;
    private long connectionTimeoutMillis = 2000;
    private int maxBatchSize = 64;
    private long acceptTimeoutMillis = 5000;
    private long queryTimeoutMillis = 10_000;
    private long migrationLockTimeoutMillis = 5000;
    private boolean migrateAtStart = true;
    private volatile RateLimitedLog warnings = new RateLimitedLog(LOG, 60);

    private final Object lifecycle = new Object();
    private final Object schemaLock = new Object();
    private volatile HikariDataSource dataSource;
    private volatile HikariDataSource writerDataSource;
    private volatile GroupCommitWriter writer;
    private volatile SqlDialect dialect;
    private volatile boolean schemaReady;
    private volatile boolean toldNotMigrated;
    /** Guarded by schemaLock: after a failed attempt, none before this System.nanoTime(). */
    private long retrySchemaAfterNanos = System.nanoTime();
    /** Guarded by schemaLock: the failure of the last attempt, repeated until the next one. */
    private StoreUnavailableException lastSchemaFailure;
    /** Guarded by schemaLock: failed attempts in a row. */
    private int schemaFailures;

    public void setJdbcUrl(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    /** While the database stays down, an identical WARN line at most once per this many seconds. */
    public void setRepeatIntervalSeconds(long repeatIntervalSeconds) {
        this.warnings = new RateLimitedLog(LOG, repeatIntervalSeconds);
    }

    public void setUsername(String username) {
        this.username = username;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    /** Connections in the pool; the group-commit writer uses one at a time, the rest serve reads. */
    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
    }

    /** How long a caller waits for a pooled connection; bounds how long a down store takes to say so. */
    public void setConnectionTimeoutMillis(long connectionTimeoutMillis) {
        this.connectionTimeoutMillis = connectionTimeoutMillis;
    }

    /** The most accepts that share one commit. */
    public void setMaxBatchSize(int maxBatchSize) {
        this.maxBatchSize = maxBatchSize;
    }

    /** The longest an accept waits for its commit before it fails (and the webhook answers 503). */
    public void setAcceptTimeoutMillis(long acceptTimeoutMillis) {
        this.acceptTimeoutMillis = acceptTimeoutMillis;
    }

    /** The longest any statement of the store may run before it fails as unavailable. */
    public void setQueryTimeoutMillis(long queryTimeoutMillis) {
        this.queryTimeoutMillis = queryTimeoutMillis;
    }

    /** The longest a migration waits for a table lock before it gives up (and retries on a later use). */
    public void setMigrationLockTimeoutMillis(long migrationLockTimeoutMillis) {
        this.migrationLockTimeoutMillis = migrationLockTimeoutMillis;
    }

    /**
     * Whether pending migrations are applied by this process. False: they are applied by a separate
     * {@code --migrate-only} run, and until then the store stays unavailable (readiness DOWN).
     */
    public void setMigrateAtStart(boolean migrateAtStart) {
        this.migrateAtStart = migrateAtStart;
    }

    /*
     * Camel calls this on the one instance its registry holds, as the context starts and before any
     * route does: the YAML DSL's pre-parse builds every bean twice, so an init method ran twice (two
     * pools, two refresh threads, every start-up line printed twice).
     */
    @Override
    public void onContextStarting(CamelContext context) {
        start();
    }

    /**
     * Creates the pool and the writer and tries to create the schema. Never fails because the
     * database is unreachable: that is logged and retried on use. Fails only on a configuration the
     * store can never work with (an unsupported URL, nonsensical sizes). Calling it twice is harmless.
     */
    public void start() {
        synchronized (lifecycle) {
            if (dataSource != null) {
                return;
            }
            if (poolSize < 1) {
                throw new IllegalArgumentException("poolSize must be at least 1");
            }
            if (connectionTimeoutMillis < 250) {
                // HikariCP's own lower bound; below it Hikari falls back to 30 s.
                throw new IllegalArgumentException("connectionTimeoutMillis must be at least 250");
            }
            if (queryTimeoutMillis < 1 || migrationLockTimeoutMillis < 1) {
                throw new IllegalArgumentException("query and migration lock timeouts must be at least 1 ms");
            }
            SqlDialect dialect = SqlDialect.fromJdbcUrl(jdbcUrl);
            this.dialect = dialect;
            dataSource = newPool(dialect, "ideogram-store", poolSize);
            writerDataSource = newPool(dialect, "ideogram-store-writer", 1);
            GroupCommitWriter w = new GroupCommitWriter(() -> openConnection(writerDataSource), dialect,
                    maxBatchSize, acceptTimeoutMillis);
            // "could not commit accepts": one line per interval and cause, naming URL and reason
            w.setFailureLog((accepts, e) -> warnUnavailable("commit accepts", e));
            w.start();
            writer = w;

            try (Connection c = openConnection()) {
                LOG.info("Generation store ready ({})", dialect.name().toLowerCase(Locale.ROOT));
            } catch (SQLException | RuntimeException e) {
                warnUnavailable("be reached at start (accepts answer 'unavailable' and readiness is DOWN until it is)", e);
            }
        }
    }

    private HikariDataSource newPool(SqlDialect dialect, String name, int size) {
        return newPool(dialect, name, size, true);
    }

    /**
     * @param socketTimeout whether a silent peer ends a read after 30 s; not for migrations, where
     *                      building an index over a large table may be silent far longer (their lock
     *                      waits are bounded by the lock timeout instead)
     */
    private HikariDataSource newPool(SqlDialect dialect, String name, int size, boolean socketTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(dialect == SqlDialect.H2 ? withWriteDelayZero(jdbcUrl) : jdbcUrl);
        config.setDriverClassName(dialect.driverClassName());
        config.setUsername(username);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(connectionTimeoutMillis);
        config.setValidationTimeout(Math.max(250, Math.min(1000, connectionTimeoutMillis / 2)));
        config.setConnectionInitSql(dialect.queryTimeoutSql(queryTimeoutMillis));
        // -1: start the pool without a connection, so the bundle starts (readiness DOWN) while the
        // database is away and needs no restart when it comes back.
        config.setInitializationFailTimeout(-1);
        if (dialect == SqlDialect.POSTGRESQL && socketTimeout) {
            // Without it a connection whose peer vanished silently (no RST) blocks the single
            // writer forever. pgjdbc lets a value in the URL take precedence over this one.
            config.addDataSourceProperty("socketTimeout", "30");
        }
        return new HikariDataSource(config);
    }

    /** Fails the accepts still waiting, then closes the pool. Calling it twice is harmless. */
    public void stop() {
        synchronized (lifecycle) {
            // New accepts fail at once; the batch in progress still gets its connection and commits.
            GroupCommitWriter w = writer;
            writer = null;
            if (w != null) {
                w.stop();
            }
            for (HikariDataSource ds : new HikariDataSource[] {writerDataSource, dataSource}) {
                if (ds != null) {
                    ds.close();
                }
            }
            writerDataSource = null;
            dataSource = null;
            synchronized (schemaLock) {
                // a restarted store tries its schema at once
                schemaReady = false;
                schemaFailures = 0;
            }
        }
    }

    /**
     * Records a delivered generation as RECEIVED and returns once that is committed. Concurrent
     * calls share commits (see {@link GroupCommitWriter}).
     *
     * @param generationId Ideogram's id, at most 256 characters
     * @param source       {@code webhook} or {@code poll}
     * @param created      Ideogram's created value as sent, may be null, at most 256 characters
     * @param imagesJson   the delivery's data[] as compact JSON text, required ("[]" when empty)
     * @return true if this call recorded the generation (a new row, or its SUBMITTED row moved to
     *         RECEIVED); false if it was already there in any other state, which is left unchanged
     * @throws StoreUnavailableException if the row could not be committed (nothing was recorded, or
     *                                   it was and a retry will be a duplicate)
     * @throws IllegalArgumentException  for values the table cannot hold; a retry would fail the same way
     */
    public boolean acceptReceived(String generationId, String source, String created, String imagesJson) {
        return acceptReceived(generationId, source, created, imagesJson, null);
    }

    /**
     * As {@link #acceptReceived(String, String, String, String)}, with what Ideogram charged for the
     * generation, written in the same transaction. A row that is already there keeps its cost: a
     * duplicate changes nothing; a SUBMITTED (or late) row moved to RECEIVED takes the cost when one is
     * given and keeps any it had otherwise.
     *
     * @param costMicros usage_cost_usd_micros, 0 to {@link GenerationExchange#MAX_COST_MICROS},
     *                   or null when unknown
     * @throws IllegalArgumentException also for a cost outside that range
     */
    public boolean acceptReceived(String generationId, String source, String created, String imagesJson,
            Long costMicros) {
        if (costMicros != null && (costMicros < 0 || costMicros > GenerationExchange.MAX_COST_MICROS)) {
            throw new IllegalArgumentException("usage cost must be 0 to "
                    + GenerationExchange.MAX_COST_MICROS + " micros");
        }
        if (generationId == null || generationId.isEmpty() || generationId.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("generation id must have 1 to " + MAX_ID_LENGTH + " characters");
        }
        if (!SOURCES.contains(source)) {
            throw new IllegalArgumentException("source must be webhook or poll");
        }
        if (created != null && created.length() > MAX_CREATED_LENGTH) {
            throw new IllegalArgumentException("created must have at most " + MAX_CREATED_LENGTH + " characters");
        }
        if (imagesJson == null) {
            // A RECEIVED row without its images would leave the archiver nothing to fetch.
            throw new IllegalArgumentException("the delivery's image list is required");
        }
        GroupCommitWriter w = writer;
        if (w == null) {
            throw new StoreUnavailableException("generation store is not running");
        }
        return w.accept(new GroupCommitWriter.ReceivedRow(generationId, source, created, imagesJson,
                System.currentTimeMillis(), costMicros));
    }

    /**
     * Reads one generation.
     *
     * @throws StoreUnavailableException if the database cannot be read
     */
    public Optional<GenerationRecord> find(String generationId) {
        try (Connection c = openConnection();
                PreparedStatement ps = c.prepareStatement(SELECT_BY_ID)) {
            ps.setString(1, generationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(toRecord(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable("read", e);
        }
    }

    /**
     * A page of the generations in a state, most recently changed first, at most {@code limit}
     * (capped at 500): for operators asking "what failed?". Only what a list shows is read.
     *
     * @param after where the page starts ({@link ListPage#FIRST}, or the last row of the page before)
     * @throws StoreUnavailableException if the database cannot be read
     */
    public List<ListedGeneration> listByState(GenerationState state, int limit, ListPage after) {
        List<ListedGeneration> rows = new ArrayList<>();
        try (Connection c = openConnection();
                PreparedStatement ps = c.prepareStatement(LIST_BY_STATE)) {
            ps.setString(1, state.name());
            ps.setLong(2, after.updatedAt());
            ps.setString(3, after.id());
            ps.setInt(4, Math.max(0, Math.min(limit, MAX_LIST)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new ListedGeneration(rs.getString("generation_id"), rs.getString("queued_id"),
                            GenerationState.valueOf(rs.getString("state")), rs.getString("source"),
                            rs.getString("error"), rs.getLong("updated_at")));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw unavailable("read", e);
        }
    }

    /**
     * Whether the store can serve now: a pooled connection is at hand, valid, and the schema exists.
     * Takes at most about the connection timeout when the database is down. Never throws.
     */
    public boolean isAvailable() {
        return unavailableReason() == null;
    }

    /**
     * Null while the store can serve; otherwise why not, for a log line: the JDBC URL without
     * credentials and the driver's reason. Never throws.
     */
    public String unavailableReason() {
        try (Connection c = openConnection()) {
            return c.isValid(1) ? null : describe(new SQLException("connection not valid"));
        } catch (SQLException | RuntimeException e) {
            return describe(e);
        }
    }

    /**
     * Logs, rate-limited, that the store could not do {@code what}, naming the URL (no credentials)
     * and the driver's reason; returns the fixed exception the caller throws.
     */
    StoreUnavailableException unavailable(String what, Throwable e) {
        warnUnavailable(what, e);
        return new StoreUnavailableException("generation store unavailable");
    }

    void warnUnavailable(String what, Throwable e) {
        warnUnavailable(what, describe(e));
    }

    /** Logs, rate-limited per {@code what} and reason, a WARN line "Generation store could not ...". */
    public void warnUnavailable(String what, String description) {
        warnings.warn(what + "|" + description, "Generation store could not " + what + ": " + description);
    }

    private String describe(Throwable e) {
        return "url=" + StoreFailureText.redactUrl(jdbcUrl) + " reason=" + StoreFailureText.reason(e);
    }

    /**
     * A pooled connection on which the schema exists, for the ledgers that share this pool (every
     * {@link StoreAccess}). The caller closes it.
     *
     * @throws StoreUnavailableException if the store is not running
     */
    public Connection connection() throws SQLException {
        return openConnection();
    }

    /**
     * The database behind the pool.
     *
     * @throws StoreUnavailableException if the store has not been started
     */
    public SqlDialect dialect() {
        SqlDialect d = dialect;
        if (d == null) {
            throw new StoreUnavailableException("generation store is not running");
        }
        return d;
    }

    private Connection openConnection() throws SQLException {
        return openConnection(dataSource);
    }

    /* The schema is brought up to date before the first connection of either pool is handed out. */
    private Connection openConnection(HikariDataSource pool) throws SQLException {
        if (pool == null) {
            throw new StoreUnavailableException("generation store is not running");
        }
        if (!schemaReady) {
            try {
                ensureSchema();
            } catch (StoreUnavailableException e) {
                // the database is away: fail like a connection would, so the caller's line names the reason
                SQLException driver = StoreFailureText.connectionFailure(e);
                if (driver != null) {
                    throw new SQLException("database not reachable", driver.getSQLState(), driver);
                }
                throw e;
            }
        }
        return pool.getConnection();
    }

    /**
     * Applies the pending migrations now, whatever {@code migrateAtStart} says, started or not: the
     * {@code --migrate-only} step of cautious deployments.
     *
     * @return how many migrations were applied
     * @throws StoreUnavailableException if a migration failed
     */
    public int migrate() {
        synchronized (schemaLock) {
            SqlDialect d = SqlDialect.fromJdbcUrl(jdbcUrl);
            try (HikariDataSource pool = migrationPool(d)) {
                int applied = new StoreMigrations(pool, d, migrationLockTimeoutMillis).migrate();
                schemaReady = dataSource != null;
                return applied;
            }
        }
    }

    private void ensureSchema() {
        synchronized (schemaLock) {
            if (schemaReady) {
                return;
            }
            // after failed attempts, every use of the store would otherwise build a pool and try again;
            // until the next attempt it fails the same way, cause included, so its lines still say why.
            // The first failure is retried at once: a cold first connection may just have been slow.
            if (schemaFailures > 1 && System.nanoTime() - retrySchemaAfterNanos < 0) {
                throw new StoreUnavailableException(lastSchemaFailure.getMessage(), lastSchemaFailure.getCause());
            }
            try {
                applyOrCheckMigrations();
            } catch (StoreUnavailableException e) {
                schemaFailures++;
                lastSchemaFailure = e;
                retrySchemaAfterNanos = System.nanoTime() + SCHEMA_RETRY_NANOS;
                throw e;
            }
            schemaFailures = 0;
            schemaReady = true;
        }
    }

    private void applyOrCheckMigrations() {
        try (HikariDataSource pool = migrationPool()) {
            StoreMigrations migrations = new StoreMigrations(pool, dialect(), migrationLockTimeoutMillis);
            if (migrateAtStart) {
                migrations.migrate();
            } else if (migrations.pendingCount() > 0) {
                if (!toldNotMigrated) {
                    toldNotMigrated = true;
                    LOG.error("The store's schema is behind this release and store.migration.at-start is "
                            + "false: run the bundle once with --migrate-only; until then the store is unavailable");
                }
                throw new StoreUnavailableException("generation store schema is not migrated");
            }
            keepOpenPastMigrations();
        }
    }

    /*
     * An embedded H2 closes its file when its last connection closes, and reopening it at once has
     * failed with "Double mark" (h2database#2752, seen once here). So the store's own pool takes a
     * connection, which it keeps idle, before the migrations' pool closes: the file stays open.
     */
    private void keepOpenPastMigrations() {
        try (Connection kept = dataSource.getConnection()) {
            LOG.debug("Store connection kept open past the migrations ({})", kept.getClass().getSimpleName());
        } catch (SQLException e) {
            // the caller's own getConnection will fail the same way and say why
            LOG.debug("Store connection after migrations failed: {}", e.getSQLState());
        }
    }

    /*
     * Flyway holds one connection for its lock and history table and another for the migration, and
     * SchemaLock a third, so they get a small pool of their own for the moment they run: the store's
     * pools may have one connection each.
     */
    private HikariDataSource migrationPool() {
        if (dataSource == null) {
            throw new StoreUnavailableException("generation store is not running");
        }
        return migrationPool(dialect());
    }

    private HikariDataSource migrationPool(SqlDialect dialect) {
        return newPool(dialect, "ideogram-store-migrations", 3, false);
    }

    /** Whether the schema was found or created on a connection of this store (for tests). */
    boolean schemaReady() {
        return schemaReady;
    }

    /**
     * H2 keeps commits in memory for up to a second by default, so a kill -9 just after a 200 would
     * lose accepted generations. An embedded H2 file URL without WRITE_DELAY therefore gets
     * {@code ;WRITE_DELAY=0} added (and an INFO line saying so): durability is this store's
     * promise, not a tuning choice the user is expected to know about. An explicit non-zero value is
     * kept, with a warning, for whoever wants that trade deliberately. In-memory and server-mode URLs
     * are left alone (a server owns its own write delay).
     */
    static String withWriteDelayZero(String url) {
        String rest = url.substring("jdbc:h2:".length()).toLowerCase(Locale.ROOT);
        if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:") || rest.startsWith("zip:")) {
            return url;
        }
        Matcher m = WRITE_DELAY.matcher(url);
        if (m.find()) {
            if (!"0".equals(m.group(1).replaceFirst("^0+(?=\\d)", ""))) {
                LOG.warn("store.jdbc-url sets WRITE_DELAY={}: accepts answered 200 within that many ms "
                        + "before a crash may be lost. Use WRITE_DELAY=0.", m.group(1));
            }
            return url;
        }
        LOG.info("store.jdbc-url has no WRITE_DELAY: using WRITE_DELAY=0 so every accepted "
                + "generation is on disk before it is answered");
        return url + ";WRITE_DELAY=0";
    }

    private static GenerationRecord toRecord(ResultSet rs) throws SQLException {
        return new GenerationRecord(
                rs.getString("generation_id"),
                GenerationState.valueOf(rs.getString("state")),
                rs.getString("source"),
                rs.getString("created"),
                rs.getString("images"),
                rs.getString("error"),
                rs.getInt("attempts"),
                rs.getString("lease_owner"),
                nullableLong(rs, "lease_until"),
                nullableLong(rs, "next_attempt_at"),
                nullableLong(rs, "submitted_at"),
                nullableLong(rs, "received_at"),
                rs.getLong("updated_at"),
                rs.getString("queued_id"),
                nullableLong(rs, "usage_cost_usd_micros"));
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
