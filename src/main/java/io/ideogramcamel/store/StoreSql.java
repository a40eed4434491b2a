package io.ideogramcamel.store;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import org.slf4j.Logger;

/** The plumbing every ledger of the store shares: statements, failures, argument checks. */
public final class StoreSql {

    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_OWNER_LENGTH = 128;

    /*
     * The database's clock in epoch milliseconds, for every lease expiry and due time, so instances
     * whose clocks disagree still agree on when a lease lapses. Checked on H2 2.3 and PostgreSQL 16:
     * both keep the milliseconds (FLOOR: never ahead of the real time). PostgreSQL gives the start of
     * the transaction, H2 the start of the command or transaction; every statement using it runs in
     * a short transaction of its own or with one other statement, so that is "now".
     */
    public static final String NOW = "CAST(FLOOR(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000) AS BIGINT)";

    /*
     * A due time given by the caller's clock, but never later than the database's now: a new
     * generation accepted by an instance whose clock runs ahead is still due at once for everyone.
     */
    public static final String DUE_NOW_AT_THE_LATEST = "LEAST(CAST(? AS BIGINT), " + NOW + ")";

    /*
     * Reasons end up in the status API and the manifest. A fixed token cannot carry a URL with its
     * signature, a host name or a driver message; exception text can, so it is refused outright.
     */
    private static final Pattern REASON = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private StoreSql() {
    }

    /**
     * A statement with a query timeout on PostgreSQL, so a row lock or a stalled server fails the call
     * as unavailable. Not on H2, where a query timeout is a session setting that would stay on the
     * pooled connection, and H2's own lock timeout bounds the waits.
     */
    public static PreparedStatement prepare(GenerationStore store, Connection c, String sql, int queryTimeoutSeconds)
            throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        if (queryTimeoutSeconds > 0 && store.dialect() == SqlDialect.POSTGRESQL) {
            ps.setQueryTimeout(queryTimeoutSeconds);
        }
        return ps;
    }

    /**
     * Logs the URL (without credentials) and the driver's reason here, rate-limited, and gives the
     * caller a fixed message.
     */
    public static StoreUnavailableException unavailable(GenerationStore store, String what, SQLException e) {
        return store.unavailable(what, e);
    }

    public static void rollbackQuietly(Logger log, Connection c) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            log.debug("Rollback failed: {}", e.toString());
        }
    }

    public static void requireId(String generationId) {
        if (generationId == null || generationId.isEmpty() || generationId.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("generation id must have 1 to " + MAX_ID_LENGTH + " characters");
        }
    }

    public static void requireOwner(String leaseOwner) {
        if (leaseOwner == null || leaseOwner.isEmpty() || leaseOwner.length() > MAX_OWNER_LENGTH) {
            throw new IllegalArgumentException("leaseOwner must be the token of a claim");
        }
    }

    public static void requireReason(String reason) {
        if (reason == null || !REASON.matcher(reason).matches()) {
            throw new IllegalArgumentException("reason must be a fixed token: up to 64 letters, digits, '_', '.', ':' "
                    + "or '-'");
        }
    }

    public static String requireInstanceId(String instanceId) {
        if (instanceId == null || !INSTANCE_ID.matcher(instanceId).matches()) {
            throw new IllegalArgumentException("instanceId must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return instanceId;
    }

    /**
     * The host name (a pod's name on Kubernetes) made into an instance id: characters outside the
     * allowed ones become '-', at most 64 characters; a random id when there is no usable name.
     */
    public static String hostInstanceId() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | RuntimeException e) {
                name = "";
            }
        }
        return sanitiseInstanceId(name);
    }

    public static String sanitiseInstanceId(String name) {
        String cleaned = name == null ? "" : name.strip().replaceAll("[^A-Za-z0-9_.-]", "-");
        cleaned = cleaned.replaceFirst("^[^A-Za-z0-9]+", "");
        if (cleaned.length() > 64) {
            cleaned = cleaned.substring(0, 64);
        }
        return cleaned.isEmpty() ? randomInstanceId() : cleaned;
    }

    /** A LIKE pattern matching every text that starts with {@code prefix} (escape character '!'). */
    public static String startsWithPattern(String prefix) {
        return prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }

    public static String randomInstanceId() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The wait before the next attempt: initial, doubled per earlier attempt, capped at max. */
    public static long doublingDelayMillis(int initialSeconds, int maxSeconds, int attemptsBefore) {
        long max = maxSeconds * 1000L;
        long delay = initialSeconds * 1000L;
        for (int i = 0; i < attemptsBefore && delay < max; i++) {
            delay *= 2;
        }
        return Math.min(delay, max);
    }

    /** SQLState class 23: the row broke a constraint (here: a unique key already taken). */
    public static boolean isConstraintViolation(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }
}
